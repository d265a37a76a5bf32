using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Scissors;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench scissors --dataset DIR</c>: Snap to Edges on outlines a hurried user would draw around each
/// ground-truth object (a vertex every ~40 px, each displaced by up to ±6 px, fixed seed), beside OpenCV's
/// IntelligentScissorsMB between the same vertices, in-process: IoU, boundary distance and time per outline; then a
/// 24-megapixel enlargement of the first image with its outline (time and peak memory).
/// </summary>
public static class ScissorsBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/ and masks/ (the GrabCut or Berkeley layout).", Required = true };
        var corridor = new Option<int>("--corridor") { Description = "Corridor half-width R in pixels.", DefaultValueFactory = _ => new EdgeSnapOptions().Corridor };
        var spacing = new Option<int>("--spacing") { Description = "Largest anchor spacing N in pixels.", DefaultValueFactory = _ => new EdgeSnapOptions().AnchorSpacing };
        var side = new Option<double>("--side-weight") { Description = "Weight of the side (colour) term; 0 = plain intelligent scissors cost.", DefaultValueFactory = _ => new EdgeSnapOptions().SideWeight };
        var large = new Option<double>("--large-megapixels") { Description = "Size of the large-photo run (0 skips it).", DefaultValueFactory = _ => 24 };
        var noPeer = new Option<bool>("--no-peer") { Description = "Skip OpenCV (for quick parameter runs)." };
        var limit = BenchCommand.LimitOption();
        var command = new Command("scissors", "Snap to Edges on hurried outlines of the ground truth, beside OpenCV's IntelligentScissorsMB between the same anchors.")
        {
            dataset, corridor, spacing, side, large, noPeer, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset),
            new EdgeSnapOptions { Corridor = parse.GetValue(corridor), AnchorSpacing = parse.GetValue(spacing), SideWeight = parse.GetValue(side) },
            parse.GetValue(large), !parse.GetValue(noPeer), parse.GetValue(limit)));
        return command;
    }

    private sealed record Row(string Name, int Outlines, double Length, double RawIoU, double RawDistance, double OursIoU, double OursDistance, double OursMs,
        double? PeerIoU, double? PeerDistance, double? PeerMs);

    private static int Run(CommandContext context, string folder, EdgeSnapOptions options, double largeMegapixels, bool peer, int? limit)
    {
        var data = SegmentationDataset.Open(folder);
        var samples = data.Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine($"Snap to Edges on {Path.GetFullPath(folder)}: {samples.Count} images, corridor R = {options.Corridor} px, anchor spacing N = {options.AnchorSpacing} px, " +
                         $"side weight {options.SideWeight.ToString(CultureInfo.InvariantCulture)}, {Environment.ProcessorCount} cores.");
        output.WriteLine("Outline: each ground-truth part's contour with a vertex every 40 px, each vertex moved by up to ±6 px (seed from the image name). " +
                         "IoU: ground-truth band excluded; distance: mean of both directions' mean distance between the mask's boundary and the true contour (px). " +
                         "Peer: OpenCV IntelligentScissorsMB (default features and weights) from each vertex to the next; its time includes applyImage.");
        output.WriteLine();
        output.WriteLine("| image | parts | outline px | IoU raw | IoU OpenCV | IoU ours | distance raw | distance OpenCV | distance ours | ms OpenCV | ms ours |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var rows = new List<Row>();
        bool warmed = false;
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (gw, gh, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
            ImageGuard.SameSize("ground-truth mask", gw, gh, image.Width, image.Height);
            var outlines = HurriedOutline.FromTruth(truth, gw, gh, HurriedOutline.SeedFor(sample.Name));
            if (outlines.Count == 0) continue;
            if (!warmed)
            {
                EdgeSnapping.Snap(image, outlines, options);
                if (peer) OpenCvScissors.Snap(image, outlines);
                warmed = true;
            }
            var raw = EdgeSnapping.FillDrawn(outlines, image.Width, image.Height);
            var watch = Stopwatch.StartNew();
            var ours = EdgeSnapping.Snap(image, outlines, options, null, context.Cancellation).Foreground;
            double oursMs = watch.Elapsed.TotalMilliseconds;
            Mask? peerMask = null;
            double? peerMs = null;
            if (peer)
            {
                watch.Restart();
                peerMask = OpenCvScissors.Snap(image, outlines);
                peerMs = watch.Elapsed.TotalMilliseconds;
            }
            double length = outlines.Sum(o => o.Length);
            var row = new Row(sample.Name, outlines.Count, length,
                SegmentationScore.Compute(raw, truth).IoU, BoundaryDistance.Mean(raw, truth),
                SegmentationScore.Compute(ours, truth).IoU, BoundaryDistance.Mean(ours, truth), oursMs,
                peerMask is null ? null : SegmentationScore.Compute(peerMask, truth).IoU, peerMask is null ? null : BoundaryDistance.Mean(peerMask, truth), peerMs);
            rows.Add(row);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Outlines} | {row.Length:F0} | {row.RawIoU:F3} | {Format(row.PeerIoU, "F3")} | {row.OursIoU:F3} | {row.RawDistance:F2} | {Format(row.PeerDistance, "F2")} | {row.OursDistance:F2} | {Format(row.PeerMs, "F0")} | {row.OursMs:F0} |"));
        }
        if (rows.Count == 0)
        {
            output.WriteLine("No image with a ground-truth object.");
            return ExitCodes.Success;
        }
        output.WriteLine();
        output.WriteLine("| summary | raw outline | OpenCV | ours |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean IoU ({rows.Count} images) | {rows.Average(r => r.RawIoU):F3} | {Format(peer ? rows.Average(r => r.PeerIoU!.Value) : null, "F3")} | {rows.Average(r => r.OursIoU):F3} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean boundary distance (px) | {rows.Average(r => r.RawDistance):F2} | {Format(peer ? rows.Average(r => r.PeerDistance!.Value) : null, "F2")} | {rows.Average(r => r.OursDistance):F2} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| images improved over the raw outline (IoU) | – | {(peer ? rows.Count(r => r.PeerIoU > r.RawIoU).ToString(CultureInfo.InvariantCulture) : "–")} | {rows.Count(r => r.OursIoU > r.RawIoU)} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| median ms per outline | – | {Format(peer ? Stats.Median(rows.Select(r => r.PeerMs!.Value)) : null, "F1")} | {Stats.Median(rows.Select(r => r.OursMs)):F1} |"));
        if (peer)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| median time ratio ours / OpenCV | – | – | {Stats.Median(rows.Select(r => r.OursMs / r.PeerMs!.Value)):F3} |"));
        if (largeMegapixels > 0) Large(context, samples[0], options, largeMegapixels, peer);
        return ExitCodes.Success;
    }

    /// <summary>The first image enlarged to a camera's size with its hurried outline scaled along: time and peak memory of the snap.</summary>
    private static void Large(CommandContext context, SegmentationSample sample, EdgeSnapOptions options, double megapixels, bool peer)
    {
        var small = ImageFiles.ReadColor(sample.ImagePath);
        var (gw, gh, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
        double factor = Math.Sqrt(megapixels * 1e6 / small.PixelCount);
        int w = (int)Math.Round(small.Width * factor), h = (int)Math.Round(small.Height * factor);
        var outlines = HurriedOutline.FromTruth(truth, gw, gh, HurriedOutline.SeedFor(sample.Name))
            .Select(o => o with { Points = o.Points.Select(p => (p.X * factor, p.Y * factor)).ToArray() }).ToArray();
        var image = PixelMaps.Resize(small, w, h);
        small = null;
        double length = outlines.Sum(o => o.Length);
        bool reset = PeakMemory.Reset();
        long before = PeakMemory.Peak();
        var watch = Stopwatch.StartNew();
        var result = EdgeSnapping.Snap(image, outlines, options, null, context.Cancellation);
        double ms = watch.Elapsed.TotalMilliseconds;
        long peak = PeakMemory.Peak();
        context.Out.WriteLine();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Large photo: {sample.Name} enlarged to {w}×{h} ({w * (double)h / 1e6:F1} MP), outline {length:F0} px in {outlines.Length} part(s): snapped in {ms:F0} ms; " +
            $"peak resident memory {Stats.Mb(peak)} MB{(reset ? $" (the image and process before the snap: {Stats.Mb(before)} MB)" : " (process lifetime)")}; {result.Foreground.CountSet()} object pixels."));
        if (peer)
        {
            // OpenCV computes its features over the whole image and one whole-image shortest-path map per anchor:
            // timed for the first anchor only (the outline has hundreds).
            long peerBefore = PeakMemory.Reset() ? PeakMemory.Peak() : 0;
            watch.Restart();
            var (applyMs, mapMs) = OpenCvScissors.TimeOneAnchor(image, outlines[0]);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OpenCV IntelligentScissorsMB on the same photo: applyImage {applyMs:F0} ms, then {mapMs:F0} ms per anchor ({outlines.Sum(o => o.Points.Count)} anchors: " +
                $"about {(applyMs + mapMs * outlines.Sum(o => o.Points.Count)) / 1000:F0} s in all); peak resident memory {Stats.Mb(PeakMemory.Peak())} MB (before: {Stats.Mb(peerBefore)} MB)."));
        }
        GC.KeepAlive(image);
    }

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
