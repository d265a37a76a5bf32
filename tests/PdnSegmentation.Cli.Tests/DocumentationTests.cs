using System.Text;
using System.Text.RegularExpressions;
using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Cli.Tests;

/// <summary>
/// README is the first screen and docs/ the rest: the quick start stays near the top, every relative link and anchor
/// between the pages resolves, and every benchmark the CLI offers is documented with its command.
/// </summary>
public partial class DocumentationTests
{
    private static readonly string Root = SharedData.RepositoryRoot();

    private static IEnumerable<string> Pages() =>
        new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories));

    [Fact]
    public void TheReadmeIsShortAndItsTwoCommandsComeFirst()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md"));
        Assert.True(lines.Length <= 250, $"README.md has {lines.Length} lines; move detail to docs/.");
        int cut = Array.FindIndex(lines, l => l.StartsWith("./pdnseg cut ", StringComparison.Ordinal));
        int test = Array.FindIndex(lines, l => l.Trim() == "./test.sh");
        Assert.InRange(cut, 0, 79);
        Assert.InRange(test, 0, 79);
    }

    [Fact]
    public void EveryRelativeLinkAndAnchorResolves()
    {
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (string page in Pages())
        {
            string text = File.ReadAllText(page);
            foreach (Match link in MarkdownLink().Matches(WithoutCode(text)))
            {
                string target = link.Groups["target"].Value;
                if (Regex.IsMatch(target, "^[a-z]+:", RegexOptions.IgnoreCase)) continue; // http:, https:, mailto:
                checkedLinks++;
                string[] parts = target.Split('#', 2);
                string file = parts[0].Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(parts[0])));
                string where = $"{Path.GetRelativePath(Root, page)}: ({target})";
                if (!File.Exists(file) && !Directory.Exists(file)) { broken.Add(where + " — no such file"); continue; }
                if (parts.Length == 2 && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(file)).Contains(parts[1]))
                    broken.Add(where + " — no such heading");
            }
        }
        Assert.True(checkedLinks > 20, $"only {checkedLinks} relative links found: is the pattern still right?");
        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    [Fact]
    public void EveryBenchmarkIsDocumentedWithItsCommand()
    {
        var bench = BenchCommand.Create(new CommandContext(TextWriter.Null, TextWriter.Null, default));
        string benchmarks = File.ReadAllText(Path.Combine(Root, "docs", "benchmarks.md"));
        string readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var names = bench.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Contains($"pdnseg bench {name}", benchmarks));
        Assert.All(names, name => Assert.Contains($"pdnseg bench {name} ", readme));
    }

    [Theory]
    [InlineData("GrabCut against OpenCV's `cv::grabCut`", "grabcut-against-opencvs-cvgrabcut")]
    [InlineData("Whole processes (batch users run one process per image)", "whole-processes-batch-users-run-one-process-per-image")]
    [InlineData("Smart Cut: the object model on the selection", "smart-cut-the-object-model-on-the-selection")]
    [InlineData("The `pdnseg` command line", "the-pdnseg-command-line")]
    public void AnchorsAreGitHubs(string heading, string anchor) => Assert.Equal(anchor, Slug(heading));

    /// <summary>The anchors GitHub gives a page's headings (a repeated heading gets -1, -2, ...).</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        foreach (Match heading in Regex.Matches(WithoutCode(markdown), @"^#{1,6} +(.+?) *$", RegexOptions.Multiline))
        {
            string slug = Slug(heading.Groups[1].Value);
            string unique = slug;
            for (int k = 1; !anchors.Add(unique); k++) unique = $"{slug}-{k}";
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case, letters, digits, '-' and '_' kept, spaces to '-', the rest dropped.</summary>
    private static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (char c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }

    /// <summary>The page with fenced code blocks blanked: a "[x](y)" or "# x" inside code is not a link or a heading.</summary>
    private static string WithoutCode(string markdown) => FencedCode().Replace(markdown, "");

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();
}
