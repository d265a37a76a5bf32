using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench lazysnap --dataset DIR</c>: Lazy Snapping from the GrabCut set's published scribbles
/// (scribbles1/, scribbles2/), region-level and pixel-level, beside OpenCV's grabCut initialised from the same
/// strokes and our rectangle GrabCut; then the time of one added stroke on a 1-megapixel image.
/// </summary>
public static class LazySnapBenchmark
{
    public static readonly Bgra32 ObjectStroke = Bgra32.FromRgb(255, 255, 207);
    public static readonly Bgra32 BackgroundStroke = Bgra32.FromRgb(219, 0, 0);

    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/, masks/, boxes.csv and scribbles1/, scribbles2/.", Required = true };
        var sets = new Option<string>("--scribbles") { Description = "Scribble sets, comma-separated.", DefaultValueFactory = _ => "scribbles2,scribbles1" };
        var smoothness = new Option<double>("--smoothness") { Description = "λ of Lazy Snapping.", DefaultValueFactory = _ => new LazySnapOptions().Smoothness };
        var limit = BenchCommand.LimitOption();
        var command = new Command("lazysnap", "Lazy Snapping accuracy and speed from published scribbles, beside OpenCV grabCut from the same strokes.")
        {
            dataset, sets, smoothness, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetRequiredValue(sets),
            new LazySnapOptions { Smoothness = parse.GetValue(smoothness) }, parse.GetValue(limit)));
        return command;
    }

    private sealed record Row(string Name, double RegionError, double PixelError, double? PeerError, double RectError,
        double PresegmentMs, double RegionMs, double TotalMs, double PeerMs, int Regions);

    private static int Run(CommandContext context, string folder, string setNames, LazySnapOptions options, int? limit)
    {
        var data = SegmentationDataset.Open(folder);
        var samples = data.Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine($"Lazy Snapping on {Path.GetFullPath(folder)}: {samples.Count} images, λ = {options.Smoothness}, K = {options.Clusters}, " +
                         $"watershed spacing {options.RegionSpacing} px, pixel band ±{options.BoundaryBand} px, {Environment.ProcessorCount} cores.");
        output.WriteLine("Error rate: misclassified / all pixels, ground-truth boundary band excluded. Peer: OpenCV cv::grabCut, GC_INIT_WITH_MASK " +
                         "(strokes definite, the rest probable background), 5 iterations. Rectangle GrabCut = ours from boxes.csv, 5 iterations.");
        var rectErrors = new Dictionary<string, double>();
        bool warmed = false;
        foreach (string set in setNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var rows = new List<Row>();
            output.WriteLine();
            output.WriteLine($"#### {set}");
            output.WriteLine();
            output.WriteLine("| image | regions | error region-level | error pixel-level | error OpenCV grabCut (strokes) | error GrabCut (rectangle) | ms watershed + graph | ms region cut | ms region + pixel cut | ms OpenCV |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var sample in samples)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                string scribblePath = Path.Combine(folder, set, sample.Name + ".png");
                if (!File.Exists(scribblePath)) continue;
                var image = ImageFiles.ReadColor(sample.ImagePath);
                var (gw, gh, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
                ImageGuard.SameSize("ground-truth mask", gw, gh, image.Width, image.Height);
                var scribbleImage = ImageFiles.ReadColor(scribblePath);
                ImageGuard.SameSize($"scribbles '{sample.Name}'", scribbleImage.Width, scribbleImage.Height, image.Width, image.Height);
                var strokes = ScribbleMasks.FromColorImage(scribbleImage, ObjectStroke, BackgroundStroke);
                if (!warmed)
                {
                    new LazySnapSession(image, options).Segment(strokes);
                    warmed = true;
                }

                var watch = Stopwatch.StartNew();
                var session = new LazySnapSession(image, options with { PixelRefinement = false });
                double presegmentMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var regionLevel = session.Segment(strokes, context.Cancellation).Foreground;
                double regionMs = watch.Elapsed.TotalMilliseconds;
                var full = new LazySnapSession(image, options);
                watch.Restart();
                var pixelLevel = full.Segment(strokes, context.Cancellation).Foreground;
                double totalMs = watch.Elapsed.TotalMilliseconds;

                using var peer = new OpenCvGrabCut(image);
                watch.Restart();
                Mask? peerMask;
                try { peerMask = peer.SegmentFromStrokes(strokes.Foreground, strokes.Background, 5); }
                catch (OpenCvSharp.OpenCVException) { peerMask = null; }
                double peerMs = watch.Elapsed.TotalMilliseconds;
                if (!rectErrors.TryGetValue(sample.Name, out double rectError))
                {
                    var rect = GrabCut.Segment(image, GrabCutInput.FromRectangle(sample.Box), new GrabCutOptions { MaxIterations = 5 }).Foreground;
                    rectErrors[sample.Name] = rectError = SegmentationScore.Compute(rect, truth).ErrorRate;
                }
                var row = new Row(sample.Name, SegmentationScore.Compute(regionLevel, truth).ErrorRate, SegmentationScore.Compute(pixelLevel, truth).ErrorRate,
                    peerMask is null ? null : SegmentationScore.Compute(peerMask, truth).ErrorRate, rectError,
                    presegmentMs, regionMs, totalMs, peerMs, session.Regions.Count);
                rows.Add(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Name} | {row.Regions} | {Pct(row.RegionError)} | {Pct(row.PixelError)} | {(row.PeerError is { } p ? Pct(p) : "failed")} | {Pct(row.RectError)} | " +
                    $"{row.PresegmentMs:F0} | {row.RegionMs:F0} | {row.TotalMs:F0} | {row.PeerMs:F0} |"));
            }
            var both = rows.Where(r => r.PeerError is not null).ToList();
            output.WriteLine();
            output.WriteLine("| summary | value |");
            output.WriteLine("|---|---:|");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error, Lazy Snapping region-level ({rows.Count} images) | {Pct(rows.Average(r => r.RegionError))} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error, Lazy Snapping pixel-level | {Pct(rows.Average(r => r.PixelError))} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error, OpenCV grabCut from the strokes ({both.Count} images ran) | {Pct(both.Average(r => r.PeerError!.Value))} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error, Lazy Snapping pixel-level on those {both.Count} | {Pct(both.Average(r => r.PixelError))} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean error, our GrabCut from the rectangle | {Pct(rows.Average(r => r.RectError))} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median ms: watershed + graph / region cut / region + pixel cut | {Stats.Median(rows.Select(r => r.PresegmentMs)):F0} / {Stats.Median(rows.Select(r => r.RegionMs)):F0} / {Stats.Median(rows.Select(r => r.TotalMs)):F0} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median ms: OpenCV grabCut from the strokes | {Stats.Median(both.Select(r => r.PeerMs)):F0} |"));
        }
        StrokeTiming(context, samples, folder, options);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The interactive case: the first image enlarged to about 1 megapixel, segmented from scribbles1, then
    /// scribbles2's object strokes added as one more stroke; the added stroke's re-solve is timed (median of 5).
    /// </summary>
    private static void StrokeTiming(CommandContext context, IReadOnlyList<SegmentationSample> samples, string folder, LazySnapOptions options)
    {
        var sample = samples.FirstOrDefault(s => File.Exists(Path.Combine(folder, "scribbles1", s.Name + ".png")) && File.Exists(Path.Combine(folder, "scribbles2", s.Name + ".png")));
        if (sample is null) return;
        var image = ImageFiles.ReadColor(sample.ImagePath);
        double scale = Math.Sqrt(1_000_000.0 / image.PixelCount);
        int w = (int)Math.Round(image.Width * scale), h = (int)Math.Round(image.Height * scale);
        var large = PixelMaps.Resize(image, w, h);
        var first = ScribbleMasks.FromColorImage(ImageFiles.ReadColor(Path.Combine(folder, "scribbles1", sample.Name + ".png")), ObjectStroke, BackgroundStroke);
        var second = ScribbleMasks.FromColorImage(ImageFiles.ReadColor(Path.Combine(folder, "scribbles2", sample.Name + ".png")), ObjectStroke, BackgroundStroke);
        var strokes = new ScribbleMasks(Nearest(first.Foreground, w, h), Nearest(first.Background, w, h));
        var added = Nearest(second.Foreground, w, h);
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        var session = new LazySnapSession(large, options);
        double buildMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        session.Segment(strokes, context.Cancellation);
        double firstMs = watch.Elapsed.TotalMilliseconds;
        for (int run = 0; run < 5; run++)
        {
            session.Segment(strokes, context.Cancellation);
            watch.Restart();
            session.AddStroke(added, foreground: true, context.Cancellation);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        context.Out.WriteLine();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Added stroke on {sample.Name} enlarged to {w}×{h} ({w * h / 1e6:F2} MP), {session.Regions.Count} regions: watershed + graph {buildMs:F0} ms once, " +
            $"first solve {firstMs:F0} ms, re-solve after one added stroke {Stats.Median(times):F0} ms (median of 5; region cut + pixel band)."));
    }

    private static Mask Nearest(Mask source, int width, int height)
    {
        var result = new Mask(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                result[x, y] = source[Math.Min(source.Width - 1, x * source.Width / width), Math.Min(source.Height - 1, y * source.Height / height)];
        return result;
    }

    private static string Pct(double rate) => (100 * rate).ToString("F2", CultureInfo.InvariantCulture) + " %";
}
