using System.CommandLine;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Batch;

/// <summary>One image's work: its input, the side inputs found for it, where its outputs go.</summary>
/// <param name="Problem">Why this image cannot be processed (e.g. no trimap was found for it); reported as its failure.</param>
public sealed record ImageJob(string ImagePath, string Stem, string? CutOutPath, string? MaskPath,
    IReadOnlyDictionary<string, string> SideInputs, PixelRect? Rectangle, string? Problem)
{
    public string Name => Path.GetFileName(ImagePath);

    /// <summary>The side input of this kind (e.g. "trimap"), or null where the command takes it as optional and none was given.</summary>
    public string? Side(string kind) => SideInputs.TryGetValue(kind, out string? path) ? path : null;

    public IEnumerable<string> Outputs => new[] { CutOutPath, MaskPath }.OfType<string>();
}

/// <summary>The images of one command line, each with its outputs; a single image without a folder runs as before.</summary>
public sealed record BatchPlan(IReadOnlyList<ImageJob> Jobs, bool IsBatch, bool SkipExisting);

/// <summary>
/// A per-image input beside the photo: a file option for one image (<c>--trimap</c>) and a folder option for many
/// (<c>--trimap-dir</c>), where the file with the photo's name (any image extension) is taken.
/// </summary>
internal sealed class SideInput
{
    public SideInput(string kind, string fileOption, string folderOption, string description, bool required)
    {
        Kind = kind;
        Required = required;
        File = new Option<string?>(fileOption) { Description = description };
        Folder = new Option<string?>(folderOption) { Description = $"Many images: the folder holding each image's {kind}, found by the image's name (any image extension)." };
    }

    public string Kind { get; }
    public bool Required { get; }
    public Option<string?> File { get; }
    public Option<string?> Folder { get; }
}

/// <summary>
/// The options every batch-capable command shares: several inputs (files, folders, globs), <c>--out-dir</c>,
/// <c>--write</c>, <c>--skip-existing</c>; and the planning of one job per image.
/// </summary>
internal sealed class BatchArguments
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm"];

    private readonly string _maskOption, _maskSuffix;

    public BatchArguments(string maskOption = "--mask-out", string maskSuffix = "-mask")
    {
        _maskOption = maskOption;
        _maskSuffix = maskSuffix;
        Images = new Argument<string[]>("images")
        {
            Description = "The photo (PNG, JPEG, BMP, TIFF, WebP, PNM); or several: files, folders (their images) and patterns such as photos/*.jpg.",
            Arity = ArgumentArity.OneOrMore,
        };
        OutDir = new Option<string?>("--out-dir") { Description = $"Many images: write each image's outputs into this folder (created if missing) as <name>.png (cut-out) and <name>{maskSuffix}.png." };
        Write = new Option<string>("--write") { Description = $"With --out-dir: which outputs to write: both (the default), cutout or {(maskSuffix == "-alpha" ? "alpha" : "mask")}.", DefaultValueFactory = _ => "both" };
        Write.AcceptOnlyFromAmong("both", "cutout", maskSuffix == "-alpha" ? "alpha" : "mask");
        SkipExisting = new Option<bool>("--skip-existing") { Description = "With --out-dir: skip images whose outputs all exist already (resumes an interrupted batch)." };
    }

    public Argument<string[]> Images { get; }
    public Option<string?> OutDir { get; }
    public Option<string> Write { get; }
    public Option<bool> SkipExisting { get; }

    public void AddTo(Command command, params SideInput[] sides)
    {
        command.Arguments.Add(Images);
        command.Options.Add(OutDir);
        command.Options.Add(Write);
        command.Options.Add(SkipExisting);
        foreach (var side in sides)
        {
            command.Options.Add(side.File);
            command.Options.Add(side.Folder);
        }
    }

    /// <summary>
    /// One job per image. <paramref name="cutOutPath"/> and <paramref name="maskPath"/> are the single-image outputs
    /// (<c>-o</c>, the mask option); <paramref name="rectangles"/> are the per-image rectangles of <c>cut --rects</c>.
    /// Everything the command line gets wrong is a usage error here, before any image is read.
    /// </summary>
    public BatchPlan Plan(ParseResult parse, string? cutOutPath, string? maskPath, IReadOnlyList<SideInput> sides,
        IReadOnlyDictionary<string, PixelRect>? rectangles = null)
    {
        string[] arguments = parse.GetValue(Images) ?? [];
        string? outDir = parse.GetValue(OutDir);
        bool several = arguments.Length > 1 || arguments.Any(a => Directory.Exists(a) || IsPattern(a));
        if (!several && outDir is null)
            return new BatchPlan([Single(parse, arguments[0], cutOutPath, maskPath, sides, rectangles)], IsBatch: false, SkipExisting: false);

        if (cutOutPath is not null || maskPath is not null)
            throw new UsageException($"-o and {_maskOption} name one file: with several images (or --out-dir) give --out-dir DIR, and --write for which outputs.");
        if (outDir is null) throw new UsageException("Several images: give --out-dir DIR for their outputs.");
        if (File.Exists(outDir)) throw new InputFileException($"Cannot write into '{outDir}': it is a file, not a folder.");
        foreach (var side in sides)
            if (parse.GetValue(side.File) is not null)
                throw new UsageException($"{side.File.Name} names one file: with several images give {side.Folder.Name} DIR.");

        var inputs = Expand(arguments);
        if (inputs.Count == 0) throw new InputFileException($"No image files found in {string.Join(", ", arguments.Select(a => $"'{a}'"))}.");
        var byStem = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string input in inputs)
            if (!byStem.TryAdd(Path.GetFileNameWithoutExtension(input), input))
                throw new UsageException($"'{byStem[Path.GetFileNameWithoutExtension(input)]}' and '{input}' have the same name: their outputs in --out-dir would collide.");

        string write = parse.GetRequiredValue(Write);
        var folders = sides.Select(side => (side, Listing: FolderListing(parse.GetValue(side.Folder), side))).ToList();
        var jobs = new List<ImageJob>();
        foreach (string input in inputs)
        {
            string stem = Path.GetFileNameWithoutExtension(input);
            string? cutOut = write is "both" or "cutout" ? Path.Combine(outDir, stem + ".png") : null;
            string? mask = write == "cutout" ? null : Path.Combine(outDir, stem + _maskSuffix + ".png");
            var (found, problem) = FindSides(stem, folders);
            PixelRect? rect = null;
            if (rectangles is not null && problem is null)
            {
                rect = RectangleFor(rectangles, input);
                if (rect is null) problem = $"no rectangle for '{stem}' in --rects";
            }
            jobs.Add(new ImageJob(input, stem, cutOut, mask, found, rect, problem));
        }
        CheckNoOutputOverwritesAnInput(jobs);
        // Created once the command line has been checked (as dotnet -o and tsc --outDir do), so a mistake leaves no folder.
        try { Directory.CreateDirectory(outDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"Cannot create the output folder '{outDir}': {e.Message}");
        }
        return new BatchPlan(jobs, IsBatch: true, parse.GetValue(SkipExisting));
    }

    private ImageJob Single(ParseResult parse, string input, string? cutOutPath, string? maskPath, IReadOnlyList<SideInput> sides,
        IReadOnlyDictionary<string, PixelRect>? rectangles)
    {
        if (cutOutPath is null && maskPath is null) throw new UsageException($"Nothing to write: give -o <cutout.png> and/or {_maskOption} <file.png>.");
        if (cutOutPath is not null) ImageFiles.CheckColorOutputName(cutOutPath);
        if (maskPath is not null) ImageFiles.CheckGrayOutputName(maskPath);
        OutputFiles.CheckWritable(cutOutPath);
        OutputFiles.CheckWritable(maskPath);
        if (parse.GetValue(SkipExisting)) throw new UsageException("--skip-existing goes with --out-dir.");
        string stem = Path.GetFileNameWithoutExtension(input);
        var found = new Dictionary<string, string>();
        foreach (var side in sides)
        {
            string? file = parse.GetValue(side.File);
            string? folder = parse.GetValue(side.Folder);
            if (file is not null && folder is not null) throw new UsageException($"Give {side.File.Name} or {side.Folder.Name}, not both.");
            if (file is not null) { found[side.Kind] = file; continue; }
            if (folder is null)
            {
                if (side.Required) throw new UsageException($"Give the {side.Kind}: {side.File.Name} FILE (or {side.Folder.Name} DIR).");
                continue;
            }
            var (match, problem) = FindSides(stem, [(side, FolderListing(folder, side))]);
            if (problem is not null) throw new InputFileException(problem);
            found[side.Kind] = match[side.Kind];
        }
        PixelRect? rect = null;
        if (rectangles is not null)
            rect = RectangleFor(rectangles, input) ?? throw new InputFileException($"No rectangle for '{stem}' in --rects.");
        return new ImageJob(input, stem, cutOutPath, maskPath, found, rect, null);
    }

    /// <summary>An image's rectangle in --rects, listed by its name with or without the extension; null when absent.</summary>
    private static PixelRect? RectangleFor(IReadOnlyDictionary<string, PixelRect> rectangles, string input) =>
        rectangles.TryGetValue(Path.GetFileNameWithoutExtension(input), out var r) || rectangles.TryGetValue(Path.GetFileName(input), out r) ? r : null;

    private static bool IsPattern(string argument) => argument.Contains('*') || argument.Contains('?');

    /// <summary>Files as given; folders and patterns (wildcards in the name only) as their image files, sorted by name.</summary>
    internal static List<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string argument in arguments)
        {
            IEnumerable<string> found;
            if (Directory.Exists(argument))
            {
                found = Directory.EnumerateFiles(argument).Where(IsImageName).Order(StringComparer.Ordinal);
            }
            else if (IsPattern(argument))
            {
                string folder = Path.GetDirectoryName(argument) is { Length: > 0 } d ? d : ".";
                if (IsPattern(folder)) throw new UsageException($"'{argument}': wildcards are allowed in the file name only, not in folders.");
                if (!Directory.Exists(folder)) throw new InputFileException($"Cannot read '{argument}': the folder '{folder}' does not exist.");
                found = Directory.EnumerateFiles(folder, Path.GetFileName(argument)).Order(StringComparer.Ordinal);
            }
            else found = [argument]; // a missing or unreadable file is that image's failure, reported by name
            foreach (string file in found)
                if (seen.Add(Path.GetFullPath(file))) files.Add(file);
        }
        return files;
    }

    private static bool IsImageName(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static Dictionary<string, List<string>> FolderListing(string? folder, SideInput side)
    {
        var listing = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        if (folder is null)
        {
            if (side.Required) throw new UsageException($"Give each image's {side.Kind}: {side.Folder.Name} DIR.");
            return listing;
        }
        if (!Directory.Exists(folder)) throw new InputFileException($"Cannot read {side.Folder.Name} '{folder}': the folder does not exist.");
        foreach (string file in Directory.EnumerateFiles(folder).Where(IsImageName))
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            if (!listing.TryGetValue(stem, out var list)) listing[stem] = list = [];
            list.Add(file);
        }
        return listing;
    }

    private static (Dictionary<string, string> Found, string? Problem) FindSides(string stem,
        IEnumerable<(SideInput Side, Dictionary<string, List<string>> Listing)> folders)
    {
        var found = new Dictionary<string, string>();
        foreach (var (side, listing) in folders)
        {
            if (!listing.TryGetValue(stem, out var matches))
            {
                if (!side.Required) continue; // optional hints: an image without one is cut without it
                return (found, $"no {side.Kind} named '{stem}' (any image extension) in {side.Folder.Name}");
            }
            if (matches.Count > 1)
                return (found, $"several {side.Kind} files are named '{stem}' in {side.Folder.Name} ({string.Join(", ", matches.Select(Path.GetFileName))}); keep one");
            found[side.Kind] = matches[0];
        }
        return (found, null);
    }

    /// <summary>An output written over one of the batch's inputs would destroy the user's data: refused before any work.</summary>
    private static void CheckNoOutputOverwritesAnInput(IReadOnlyList<ImageJob> jobs)
    {
        var inputs = new HashSet<string>(jobs.SelectMany(j => j.SideInputs.Values.Prepend(j.ImagePath)).Select(Path.GetFullPath), StringComparer.OrdinalIgnoreCase);
        foreach (var job in jobs)
            foreach (string output in job.Outputs)
                if (inputs.Contains(Path.GetFullPath(output)))
                    throw new UsageException($"The output '{output}' would overwrite an input: choose another --out-dir.");
    }
}
