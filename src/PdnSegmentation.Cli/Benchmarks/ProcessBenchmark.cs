using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench process</c>: what a batch user pays per image — one whole <c>pdnseg</c> process (start-up, reading,
/// the work, writing) — against the peer's in-process call measured in the same run: PyMatting's
/// <c>estimate_alpha_cf</c> for <c>pdnseg matte</c> on the alphamatting images, OpenCV's <c>grabCut</c> (5
/// iterations, OpenCvSharp) for <c>pdnseg cut</c> on the GrabCut set's rectangles.
/// </summary>
public static class ProcessBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "The alphamatting set (images/, trimap1/, trimap2/) or the GrabCut set (images/, boxes.csv).", Required = true };
        var trimaps = new Option<string>("--trimaps") { Description = "For the alphamatting set: trimap sets, comma-separated.", DefaultValueFactory = _ => "trimap1,trimap2" };
        var pymatting = new Option<string>("--pymatting") { Description = "Folder holding PyMatting's source (pymatting/), or 'none'.", DefaultValueFactory = _ => "../shared/peers/pymatting" };
        var limit = new Option<int?>("--limit") { Description = "Only the first N images." };
        var command = new Command("process", "Whole pdnseg processes per image (matte or cut) against the peer's in-process call, same run.") { dataset, trimaps, pymatting, limit };
        command.SetAction(parse =>
        {
            string folder = parse.GetRequiredValue(dataset);
            return File.Exists(Path.Combine(folder, "boxes.csv"))
                ? RunCut(context, folder, parse.GetValue(limit))
                : RunMatte(context, folder, parse.GetRequiredValue(trimaps), parse.GetRequiredValue(pymatting), parse.GetValue(limit));
        });
        return command;
    }

    private static int RunMatte(CommandContext context, string folder, string trimapSets, string pymatting, int? limit)
    {
        string images = Path.Combine(folder, "images");
        if (!Directory.Exists(images)) throw new InputFileException($"'{folder}' has no images/ folder; is it a matting dataset?");
        var names = Directory.GetFiles(images, "*.png").Select(p => Path.GetFileNameWithoutExtension(p)!).Order(StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToList();
        var pairs = (from set in trimapSets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                     from name in names
                     let trimap = Path.Combine(folder, set, name + ".png")
                     where File.Exists(trimap)
                     select (Name: name, Set: set, Image: Path.Combine(images, name + ".png"), Trimap: trimap)).ToList();
        var peer = PyMattingPeer.Locate(pymatting, out string missing);
        var output = context.Out;
        output.WriteLine($"Whole process `{ChildProcess.SelfName} matte IMAGE --trimap TRIMAP --alpha-out FILE` per image " +
                         $"({pairs.Count} image/trimap pairs, {Environment.ProcessorCount} cores) against " +
                         (peer is not null ? peer.Description + ", in one interpreter, same run." : $"nothing ({missing})."));
        var peerSeconds = peer?.Solve(pairs.Select(p => (p.Image, p.Trimap, (string?)null)).ToList());
        string alpha = Path.Combine(Path.GetTempPath(), $"pdnseg-process-{Environment.ProcessId}.png");
        RunSelf(["matte", pairs[0].Image, "--trimap", pairs[0].Trimap, "--alpha-out", alpha]); // warms the disk cache
        output.WriteLine();
        output.WriteLine("| image | trimap | s pdnseg process | s PyMatting solve | ratio |");
        output.WriteLine("|---|---|---:|---:|---:|");
        var ours = new List<double>();
        var ratios = new List<double>();
        for (int i = 0; i < pairs.Count; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var p = pairs[i];
            double seconds = RunSelf(["matte", p.Image, "--trimap", p.Trimap, "--alpha-out", alpha]);
            ours.Add(seconds);
            string peerText = "–", ratio = "–";
            if (peerSeconds is not null)
            {
                ratios.Add(seconds / peerSeconds[i]);
                peerText = peerSeconds[i].ToString("F2", CultureInfo.InvariantCulture);
                ratio = ratios[^1].ToString("F2", CultureInfo.InvariantCulture);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {p.Name} | {p.Set} | {seconds:F2} | {peerText} | {ratio} |"));
        }
        File.Delete(alpha);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median s per pdnseg process: {Stats.Median(ours):F2}"));
        if (peerSeconds is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median s per PyMatting solve: {Stats.Median(peerSeconds):F2}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time ratio pdnseg process / PyMatting solve: of medians {Stats.Median(ours) / Stats.Median(peerSeconds):F2}, median per image {Stats.Median(ratios):F2}"));
        }
        return ExitCodes.Success;
    }

    private static int RunCut(CommandContext context, string folder, int? limit)
    {
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine($"Whole process `{ChildProcess.SelfName} cut IMAGE --rect X,Y,W,H -o FILE` per image " +
                         $"(its defaults: at most 5 iterations) against OpenCV's grabCut in this process (5 iterations, from the decoded image), " +
                         $"{samples.Count} images of {Path.GetFullPath(folder)}, {Environment.ProcessorCount} cores.");
        string cutout = Path.Combine(Path.GetTempPath(), $"pdnseg-process-{Environment.ProcessId}.png");
        string Rect(SegmentationSample s) => string.Create(CultureInfo.InvariantCulture, $"{s.Box.X},{s.Box.Y},{s.Box.Width},{s.Box.Height}");
        RunSelf(["cut", samples[0].ImagePath, "--rect", Rect(samples[0]), "-o", cutout]); // warms the disk cache
        output.WriteLine();
        output.WriteLine("| image | size | s pdnseg process | s OpenCV grabCut | ratio |");
        output.WriteLine("|---|---|---:|---:|---:|");
        var ours = new List<double>();
        var peers = new List<double>();
        var ratios = new List<double>();
        bool warmed = false;
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            double seconds = RunSelf(["cut", sample.ImagePath, "--rect", Rect(sample), "-o", cutout]);
            var image = ImageFiles.ReadColor(sample.ImagePath);
            using var peer = new OpenCvGrabCut(image);
            double peerSeconds;
            try
            {
                if (!warmed) { peer.Segment(sample.Box, 1); warmed = true; }
                var watch = Stopwatch.StartNew();
                peer.Segment(sample.Box, 5);
                peerSeconds = watch.Elapsed.TotalSeconds;
            }
            catch (OpenCvSharp.OpenCVException e)
            {
                // e.g. a rectangle that leaves no background samples: OpenCV refuses it, ours does not.
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {sample.Name} | {image.Width}×{image.Height} | {seconds:F2} | fails: {e.Message} | – |"));
                continue;
            }
            ours.Add(seconds); peers.Add(peerSeconds); ratios.Add(seconds / peerSeconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {sample.Name} | {image.Width}×{image.Height} | {seconds:F2} | {peerSeconds:F2} | {ratios[^1]:F2} |"));
        }
        File.Delete(cutout);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"over the {ours.Count} images both ran: median s: pdnseg process {Stats.Median(ours):F2}, OpenCV grabCut {Stats.Median(peers):F2}; time ratio of medians {Stats.Median(ours) / Stats.Median(peers):F2}, median per image {Stats.Median(ratios):F2}"));
        return ExitCodes.Success;
    }

    /// <summary>Runs pdnseg once and returns its wall time; a failure stops the benchmark.</summary>
    private static double RunSelf(string[] arguments)
    {
        var run = ChildProcess.RunSelf(arguments);
        if (run.ExitCode != 0) throw new InputFileException($"pdnseg {string.Join(' ', arguments)} failed (exit {run.ExitCode}): {run.Error.Trim()}");
        return run.Seconds;
    }
}
