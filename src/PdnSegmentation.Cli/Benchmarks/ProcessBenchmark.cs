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
    // PyMatting over a list of image/trimap pairs in one interpreter: numba compiles on a small problem first, then
    // each solve call alone is timed (the images are read before the clock starts).
    private const string PyMattingScript = """
        import sys, time
        import numpy as np, cv2
        sys.path.insert(0, sys.argv[1])
        from pymatting import estimate_alpha_cf
        warm = np.full((48, 48), 0.5); warm[:, :6] = 0; warm[:, -6:] = 1
        estimate_alpha_cf(np.random.default_rng(0).random((48, 48, 3)), warm)
        for line in open(sys.argv[2]):
            image_path, trimap_path = line.rstrip('\n').split('\t')
            image = cv2.imread(image_path, cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float64) / 255
            trimap = cv2.imread(trimap_path, cv2.IMREAD_GRAYSCALE).astype(np.float64) / 255
            start = time.perf_counter()
            estimate_alpha_cf(image, trimap)
            print('time', time.perf_counter() - start, flush=True)
        """;

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
        const string python = "/usr/bin/python3";
        bool peer = pymatting != "none" && File.Exists(python) && Directory.Exists(Path.Combine(pymatting, "pymatting"));
        var output = context.Out;
        var (exe, prefix) = GrabCutScaleBenchmark.SelfCommand();
        output.WriteLine($"Whole process `{Path.GetFileName(exe)} {string.Join(' ', prefix.Select(Path.GetFileName))} matte IMAGE --trimap TRIMAP --alpha-out FILE` per image " +
                         $"({pairs.Count} image/trimap pairs, {Environment.ProcessorCount} cores) against " +
                         (peer ? "PyMatting's estimate_alpha_cf solve call in one warmed-up interpreter, same run." : "nothing (no /usr/bin/python3 or PyMatting; see ../shared/peers/README.md)."));
        var peerSeconds = peer ? RunPyMatting(python, pymatting, pairs.Select(p => (p.Image, p.Trimap)).ToList()) : null;
        string alpha = Path.Combine(Path.GetTempPath(), $"pdnseg-process-{Environment.ProcessId}.png");
        RunSelf(exe, prefix, ["matte", pairs[0].Image, "--trimap", pairs[0].Trimap, "--alpha-out", alpha]); // warms the disk cache
        output.WriteLine();
        output.WriteLine("| image | trimap | s pdnseg process | s PyMatting solve | ratio |");
        output.WriteLine("|---|---|---:|---:|---:|");
        var ours = new List<double>();
        var ratios = new List<double>();
        for (int i = 0; i < pairs.Count; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var p = pairs[i];
            double seconds = RunSelf(exe, prefix, ["matte", p.Image, "--trimap", p.Trimap, "--alpha-out", alpha]);
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
        var (exe, prefix) = GrabCutScaleBenchmark.SelfCommand();
        output.WriteLine($"Whole process `{Path.GetFileName(exe)} {string.Join(' ', prefix.Select(Path.GetFileName))} cut IMAGE --rect X,Y,W,H -o FILE` per image " +
                         $"(its defaults: at most 5 iterations) against OpenCV's grabCut in this process (5 iterations, from the decoded image), " +
                         $"{samples.Count} images of {Path.GetFullPath(folder)}, {Environment.ProcessorCount} cores.");
        string cutout = Path.Combine(Path.GetTempPath(), $"pdnseg-process-{Environment.ProcessId}.png");
        string Rect(SegmentationSample s) => string.Create(CultureInfo.InvariantCulture, $"{s.Box.X},{s.Box.Y},{s.Box.Width},{s.Box.Height}");
        RunSelf(exe, prefix, ["cut", samples[0].ImagePath, "--rect", Rect(samples[0]), "-o", cutout]); // warms the disk cache
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
            double seconds = RunSelf(exe, prefix, ["cut", sample.ImagePath, "--rect", Rect(sample), "-o", cutout]);
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

    /// <summary>Runs pdnseg once and returns its wall time; its output is discarded, a failure stops the benchmark.</summary>
    private static double RunSelf(string exe, string[] prefix, string[] arguments)
    {
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(arguments)) start.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InputFileException($"pdnseg {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error.Result.Trim()}");
        return seconds;
    }

    private static double[] RunPyMatting(string python, string folder, List<(string Image, string Trimap)> pairs)
    {
        string stem = Path.Combine(Path.GetTempPath(), $"pdnseg-pymatting-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(stem + ".py", PyMattingScript);
            File.WriteAllLines(stem + ".txt", pairs.Select(p => Path.GetFullPath(p.Image) + "\t" + Path.GetFullPath(p.Trimap)));
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { stem + ".py", Path.GetFullPath(folder), stem + ".txt" }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InputFileException($"PyMatting failed (exit {process.ExitCode}): {error.Result.Trim()}");
            // PyMatting prints its own warnings on stdout; the times are the lines this harness marks.
            var times = text.Split('\n').Where(l => l.StartsWith("time ", StringComparison.Ordinal))
                .Select(l => double.Parse(l.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            if (times.Length != pairs.Count) throw new InputFileException($"PyMatting reported {times.Length} times for {pairs.Count} images.");
            return times;
        }
        finally
        {
            File.Delete(stem + ".py");
            File.Delete(stem + ".txt");
        }
    }
}
