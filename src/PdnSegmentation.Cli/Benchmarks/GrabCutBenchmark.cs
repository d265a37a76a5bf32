using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench grabcut --dataset DIR</c>: our GrabCut and OpenCV's cv::grabCut, same rectangle, same
/// iteration count, in one process: error rate, IoU, time and peak memory per image and in total.
/// </summary>
public static class GrabCutBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/, masks/ and boxes.csv.", Required = true };
        var iterations = new Option<int>("--iterations") { Description = "Iterations for both implementations.", DefaultValueFactory = _ => 5 };
        var limit = BenchCommand.LimitOption();
        var init = new Option<GmmInitialization>("--init") { Description = "Our GMM initialisation: KMeans or OrchardBouman.", DefaultValueFactory = _ => new GrabCutOptions().Initialization };
        var multilevel = new Option<int>("--multilevel-threshold") { Description = "Our coarse-to-fine threshold in pixels (0 = always full resolution).", DefaultValueFactory = _ => new GrabCutOptions().MultilevelThreshold };
        var command = new Command("grabcut", "GrabCut accuracy and speed against OpenCV's grabCut on a dataset with ground truth.")
        {
            dataset, iterations, limit, multilevel, init,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetValue(iterations), parse.GetValue(limit),
            new GrabCutOptions { MaxIterations = parse.GetValue(iterations), ConvergenceTolerance = 0, MultilevelThreshold = parse.GetValue(multilevel), Initialization = parse.GetValue(init) }));
        return command;
    }

    private sealed record Row(string Name, int Width, int Height, SegmentationScore Ours, SegmentationScore? Peer,
        double OursMs, double PeerMs, long OursPeak, long PeerPeak);

    private static int Run(CommandContext context, string folder, int iterations, int? limit, GrabCutOptions options)
    {
        var data = SegmentationDataset.Open(folder);
        var samples = data.Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine($"GrabCut on {Path.GetFullPath(folder)}: {samples.Count} images, {iterations} iterations each, " +
                         $"{Environment.ProcessorCount} cores, our initialisation {options.Initialization}, multilevel above {options.MultilevelThreshold} px; peer: OpenCV {Cv2.GetVersionString()} cv::grabCut (GC_INIT_WITH_RECT).");
        output.WriteLine("Error rate: misclassified / pixels inside the rectangle, ground-truth boundary band excluded. Peak = process RSS high-water mark during the run.");
        output.WriteLine();
        output.WriteLine("| image | size | error ours | error OpenCV | IoU ours | IoU OpenCV | ms ours | ms OpenCV | time ratio | peak MB ours | peak MB OpenCV |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        bool warmedUp = false;
        var rows = new List<Row>();
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (gw, gh, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
            ImageGuard.SameSize("ground-truth mask", gw, gh, image.Width, image.Height);
            using var peer = new OpenCvGrabCut(image);
            if (!warmedUp)
            {
                // JIT and OpenCV's lazy initialisation happen once, outside every measurement.
                GrabCut.Segment(image, GrabCutInput.FromRectangle(sample.Box), options with { MaxIterations = 1 });
                TryPeer(peer, sample.Box, 1);
                warmedUp = true;
            }

            PeakMemory.Reset();
            var watch = Stopwatch.StartNew();
            var ours = GrabCut.Segment(image, GrabCutInput.FromRectangle(sample.Box), options, null, context.Cancellation);
            double oursMs = watch.Elapsed.TotalMilliseconds;
            long oursPeak = PeakMemory.Peak();

            PeakMemory.Reset();
            watch.Restart();
            var peerMask = TryPeer(peer, sample.Box, iterations);
            double peerMs = watch.Elapsed.TotalMilliseconds;
            long peerPeak = PeakMemory.Peak();

            var row = new Row(sample.Name, image.Width, image.Height,
                SegmentationScore.Compute(ours.Foreground, truth, sample.Box),
                peerMask is null ? null : SegmentationScore.Compute(peerMask, truth, sample.Box),
                oursMs, peerMs, oursPeak, peerPeak);
            rows.Add(row);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Width}×{row.Height} | {Pct(row.Ours.ErrorRate)} | {(row.Peer is { } p ? Pct(p.ErrorRate) : "failed")} | " +
                $"{row.Ours.IoU:F4} | {(row.Peer is { } q ? q.IoU.ToString("F4", CultureInfo.InvariantCulture) : "—")} | {row.OursMs:F0} | {row.PeerMs:F0} | " +
                $"{(row.Peer is null ? "—" : (row.OursMs / row.PeerMs).ToString("F2", CultureInfo.InvariantCulture))} | {Stats.Mb(row.OursPeak)} | {Stats.Mb(row.PeerPeak)} |"));
        }

        var both = rows.Where(r => r.Peer is not null).ToList();
        output.WriteLine();
        output.WriteLine("| summary | ours | OpenCV |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error rate ({both.Count} images both ran) | {Pct(both.Average(r => r.Ours.ErrorRate))} | {Pct(both.Average(r => r.Peer!.Value.ErrorRate))} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean IoU | {both.Average(r => r.Ours.IoU):F4} | {both.Average(r => r.Peer!.Value.IoU):F4} |"));
        if (rows.Count != both.Count)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error rate, all {rows.Count} images (ours) | {Pct(rows.Average(r => r.Ours.ErrorRate))} | {rows.Count - both.Count} failed |"));
        // Times and memory are compared only where both ran (OpenCV fails fast on a whole-image rectangle).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median time (ms) | {Stats.Median(both.Select(r => r.OursMs)):F0} | {Stats.Median(both.Select(r => r.PeerMs)):F0} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median peak RSS (MB) | {Stats.Median(both.Select(r => (double)r.OursPeak)) / 1048576:F0} | {Stats.Median(both.Select(r => (double)r.PeerPeak)) / 1048576:F0} |"));
        double medianRatio = Stats.Median(both.Select(r => r.OursMs)) / Stats.Median(both.Select(r => r.PeerMs));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| time ratio ours / OpenCV: of medians | {medianRatio:F2} | |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| time ratio ours / OpenCV: median per image | {Stats.Median(both.Select(r => r.OursMs / r.PeerMs)):F2} | |"));
        return ExitCodes.Success;
    }

    private static Mask? TryPeer(OpenCvGrabCut peer, PixelRect box, int iterations)
    {
        try { return peer.Segment(box, iterations); }
        catch (OpenCVException) { return null; } // e.g. a rectangle over the whole image leaves no background samples
    }

    private static string Pct(double rate) => (100 * rate).ToString("F2", CultureInfo.InvariantCulture) + " %";
}
