using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench clicks --dataset DIR</c>: the standard click benchmark (<see cref="ClickProtocol"/>): NoC@85 and
/// NoC@90 (clicks to reach 85 / 90 % IoU, 20 when never), mean IoU after 1, 3, 5 and 10 clicks and per-click latency,
/// for each of our engines and, in the same run, the naive peer (OpenCV's grabCut started from disks around the clicks,
/// <c>click_grabcut_opencv.py</c>, one process per click). Then per-click latency and peak memory of the default engine
/// on the first image enlarged to each of <c>--megapixels</c>.
/// </summary>
public static class ClickBenchmark
{
    /// <summary>The published NoC@90 (GrabCut set / Berkeley set), for the README's table beside ours.</summary>
    internal static readonly (string Method, string GrabCut, string Berkeley)[] Published =
    [
        ("graph cut (Boykov & Jolly 2001)", "10.00", "14.22"), ("random walker (Grady 2006)", "13.77", "14.02"),
        ("geodesic matting (Bai & Sapiro 2007)", "14.57", "15.96"), ("geodesic star convexity (Gulshan et al. 2010)", "9.12", "12.57"),
        ("Euclidean star convexity", "9.20", "12.11"), ("DIOS (Xu et al. 2016)", "6.04", "8.65"), ("RITM HRNet-18 (2021)", "1.54", "2.26"),
        ("SimpleClick ViT-B (2023)", "1.48", "1.97"), ("SAM ViT-H (2023)", "1.88", "2.09"),
    ];

    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "A segmentation set: images/, masks/ (0 / 255, other values ignored), boxes.csv.", Required = true };
        var maxClicks = new Option<int>("--max-clicks") { DefaultValueFactory = _ => 20 };
        var models = new Option<string>("--models")
        {
            Description = "Engines, comma-separated: classic (no model), u2netp (the bundled salient-object prior; the default without Segment Anything), or an installed model's name.",
            DefaultValueFactory = _ => "classic,u2netp",
        };
        var peer = new Option<string?>("--peer") { Description = "The peer script (default: peers/click_grabcut_opencv.py two folders above the dataset); 'none' skips it." };
        var megapixels = new Option<string>("--megapixels") { Description = "Sizes for the latency and memory runs of the first engine (comma-separated).", DefaultValueFactory = _ => "1" };
        var zoom = new Option<string>("--zoom")
        {
            Description = "on: the engine as shipped (from the second click the cut runs on the selection enlarged); off: every cut on the whole photo; both: each engine both ways.",
            DefaultValueFactory = _ => "on",
        };
        zoom.AcceptOnlyFromAmong("on", "off", "both");
        var modelsDir = ModelsCommand.FolderOption();
        var limit = BenchCommand.LimitOption();
        var command = new Command("clicks", "Click to select: NoC@85/90 and IoU after k clicks by the standard automatic clicker, ours and OpenCV's grabCut from clicks in the same run.")
        {
            dataset, maxClicks, models, peer, megapixels, zoom, modelsDir, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetValue(maxClicks), parse.GetRequiredValue(models), parse.GetValue(peer),
            parse.GetRequiredValue(megapixels), parse.GetRequiredValue(zoom), parse.GetValue(modelsDir), parse.GetValue(limit)));
        return command;
    }

    /// <summary>One engine's run on one image: IoU after each click and the time of each click's solve.</summary>
    private sealed record Trace(List<double> IoU, List<double> Milliseconds);

    /// <summary>One engine as benchmarked: a click model and whether its cut zooms onto the selection.</summary>
    private sealed record Engine(ClickModel Model, bool Zoom)
    {
        public ClickSelectionOptions Options => Zoom ? new ClickSelectionOptions() : new ClickSelectionOptions { ZoomExpansion = 0 };
        public string Name => Zoom ? Model.Name : Model.Name + ", whole photo";
        public string Description => Zoom ? Model.Description : Model.Description + ", every cut on the whole photo (--zoom off)";
    }

    private static int Run(CommandContext context, string folder, int maxClicks, string modelNames, string? peerScript, string megapixelList, string zoom, string? modelsDir, int? limit)
    {
        if (maxClicks is < 1 or > 100) throw new UsageException($"--max-clicks must be 1..100 (got {maxClicks}).");
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        var names = modelNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var megapixels = megapixelList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new UsageException($"--megapixels '{megapixelList}': expected positive numbers separated by commas.")).ToArray();
        var store = ModelsCommand.Store(modelsDir);
        var peer = ClickPeer.Locate(folder, peerScript);
        var output = context.Out;
        output.WriteLine($"Click benchmark on {Path.GetFullPath(folder)}: {samples.Count} images, up to {maxClicks} clicks, automatic clicker of Xu et al. 2016 " +
                         $"(RITM's protocol; ground-truth band ignored), CPU, {Environment.ProcessorCount} cores. Peer: {peer?.Description ?? "not run (" + ClickPeer.Missing(folder, peerScript) + ")"}.");

        var models = names.Select(n => ClickModel.Open(store, n, ExecutionDevice.Cpu)).ToList();
        bool[] zooms = zoom switch { "off" => [false], "both" => [true, false], _ => [true] };
        var engines = models.SelectMany(m => zooms.Select(z => new Engine(m, z))).ToList();
        var traces = engines.Select(_ => new List<Trace>()).ToList();
        var peerTraces = new List<Trace>();
        output.WriteLine();
        output.WriteLine($"| image | {string.Join(" | ", engines.Select(e => "NoC@90 " + e.Name))}{(peer is null ? "" : " | NoC@90 peer")} |");
        output.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---:|", engines.Count + (peer is null ? 0 : 1)))}");
        try
        {
            foreach (var sample in samples)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var image = ImageFiles.ReadColor(sample.ImagePath);
                var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
                var cells = new List<int>();
                for (int e = 0; e < engines.Count; e++)
                {
                    var session = new ClickSession(image, engines[e].Options, null, engines[e].Model.PriorFor(image));
                    var trace = Simulate(image, truth, maxClicks, clicks => session.Add(clicks[^1], null, context.Cancellation), stopAt: null);
                    traces[e].Add(trace);
                    cells.Add(ClickProtocol.ClicksToReach(trace.IoU, 0.90, maxClicks));
                }
                if (peer is not null)
                {
                    var trace = Simulate(image, truth, maxClicks, clicks => peer.Run(sample.ImagePath, clicks, image.Width, image.Height), stopAt: 0.90);
                    peerTraces.Add(trace);
                    cells.Add(ClickProtocol.ClicksToReach(trace.IoU, 0.90, maxClicks));
                }
                output.WriteLine($"| {sample.Name} | {string.Join(" | ", cells)} |");
            }
        }
        finally
        {
            foreach (var model in models) model.Dispose();
        }

        output.WriteLine();
        output.WriteLine("| engine | NoC@85 | NoC@90 | IoU@1 | IoU@3 | IoU@5 | IoU@10 | ms per click after the first: median | p95 |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int e = 0; e < engines.Count; e++) output.WriteLine(Summary(engines[e].Description, traces[e], maxClicks));
        if (peer is not null) output.WriteLine(Summary("peer: OpenCV grabCut from disks around the clicks (one process per click)", peerTraces, maxClicks));
        if (peer is not null && peerTraces.Count > 0)
        {
            double peerNoc = peerTraces.Average(t => ClickProtocol.ClicksToReach(t.IoU, 0.90, maxClicks));
            output.WriteLine();
            foreach (var (engine, engineTraces) in engines.Zip(traces))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"NoC@90 ratio to the peer, {engine.Name}: {engineTraces.Average(t => ClickProtocol.ClicksToReach(t.IoU, 0.90, maxClicks)) / peerNoc:F2}"));
            output.WriteLine("(The peer stops once it reaches 90 %; its IoU after later clicks is held at that value.)");
        }
        Scale(context, samples[0], names[0], store, megapixels, engines[0].Options);
        return ExitCodes.Success;
    }

    /// <summary>The automatic user clicking until <paramref name="maxClicks"/> (or until IoU reaches <paramref name="stopAt"/>).</summary>
    private static Trace Simulate(ColorImage image, byte[] truth, int maxClicks, Func<IReadOnlyList<Click>, Mask> solve, double? stopAt)
    {
        var protocol = new ClickProtocol(image.Width, image.Height, truth);
        var prediction = new Mask(image.Width, image.Height);
        var clicks = new List<Click>();
        var trace = new Trace(new List<double>(), new List<double>());
        while (trace.IoU.Count < maxClicks)
        {
            if (protocol.Next(prediction) is not { } click) { trace.IoU.Add(1); continue; }
            clicks.Add(click);
            var watch = Stopwatch.StartNew();
            prediction = solve(clicks);
            trace.Milliseconds.Add(watch.Elapsed.TotalMilliseconds);
            trace.IoU.Add(protocol.IoU(prediction));
            if (stopAt is { } stop && trace.IoU[^1] >= stop)
                while (trace.IoU.Count < maxClicks) trace.IoU.Add(trace.IoU[^1]);
        }
        return trace;
    }

    private static string Summary(string name, List<Trace> traces, int maxClicks)
    {
        double Mean(Func<Trace, double> f) => traces.Count == 0 ? double.NaN : traces.Average(f);
        double IouAt(Trace t, int k) => t.IoU[Math.Min(k, t.IoU.Count) - 1];
        var later = traces.SelectMany(t => t.Milliseconds.Skip(1)).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Mean(t => ClickProtocol.ClicksToReach(t.IoU, 0.85, maxClicks)):F2} | {Mean(t => ClickProtocol.ClicksToReach(t.IoU, 0.90, maxClicks)):F2} | " +
            $"{Mean(t => IouAt(t, 1)):F3} | {Mean(t => IouAt(t, 3)):F3} | {Mean(t => IouAt(t, 5)):F3} | {Mean(t => IouAt(t, 10)):F3} | " +
            $"{Stats.Median(later):F0} | {Stats.Percentile(later, 0.95):F0} |");
    }

    /// <summary>Ten clicks of the protocol on the first image enlarged: per-click time after the first, and peak memory.</summary>
    private static void Scale(CommandContext context, SegmentationSample sample, string engineName, Deep.Models.ModelStore store, double[] megapixels, ClickSelectionOptions options)
    {
        var source = ImageFiles.ReadColor(sample.ImagePath);
        var (tw, th, truthSource) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
        context.Out.WriteLine();
        context.Out.WriteLine($"Per-click latency and peak memory, engine {engineName}, {sample.Name} enlarged, 10 protocol clicks (the model's own run, once per photo, is part of the first click):");
        context.Out.WriteLine();
        context.Out.WriteLine("| MP | size | first click ms | later clicks ms: median | p95 | peak MB |");
        context.Out.WriteLine("|---:|---|---:|---:|---:|---:|");
        using var engine = ClickModel.Open(store, engineName, ExecutionDevice.Cpu);
        foreach (double mp in megapixels)
        {
            double factor = Math.Sqrt(mp * 1e6 / source.PixelCount);
            int w = (int)Math.Round(source.Width * factor), h = (int)Math.Round(source.Height * factor);
            var image = PixelMaps.Resize(source, w, h);
            var truth = ResizeNearest(truthSource, tw, th, w, h);
            PeakMemory.Reset();
            var session = new ClickSession(image, options, null, engine.PriorFor(image));
            var trace = Simulate(image, truth, 10, clicks => session.Add(clicks[^1], null, context.Cancellation), stopAt: null);
            long peak = PeakMemory.Peak();
            var later = trace.Milliseconds.Skip(1).ToList();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mp:G} | {w}×{h} | {trace.Milliseconds[0]:F0} | {Stats.Median(later):F0} | {Stats.Percentile(later, 0.95):F0} | {Stats.Mb(peak)} |"));
        }
    }

    private static byte[] ResizeNearest(byte[] values, int w, int h, int nw, int nh)
    {
        var result = new byte[nw * nh];
        for (int y = 0; y < nh; y++)
            for (int x = 0; x < nw; x++)
                result[y * nw + x] = values[Math.Min(h - 1, y * h / nh) * w + Math.Min(w - 1, x * w / nw)];
        return result;
    }
}

/// <summary>The naive click peer, <c>click_grabcut_opencv.py</c>, run with Debian's python3 and its python3-opencv.</summary>
internal sealed class ClickPeer(string script, string python)
{
    public string Description => $"{Path.GetFileName(script)} (OpenCV grabCut, {python})";

    public static ClickPeer? Locate(string datasetFolder, string? script)
    {
        if (script == "none") return null;
        string path = script ?? DefaultScript(datasetFolder);
        const string python = "/usr/bin/python3";
        return File.Exists(path) && File.Exists(python) ? new ClickPeer(Path.GetFullPath(path), python) : null;
    }

    public static string Missing(string datasetFolder, string? script) =>
        script == "none" ? "--peer none" : $"no {script ?? DefaultScript(datasetFolder)} or /usr/bin/python3 (see ../shared/peers/README.md)";

    private static string DefaultScript(string datasetFolder) =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(datasetFolder).TrimEnd(Path.DirectorySeparatorChar)))!, "peers", "click_grabcut_opencv.py");

    public Mask Run(string imagePath, IReadOnlyList<Click> clicks, int width, int height)
    {
        string mask = Path.Combine(Path.GetTempPath(), $"pdnseg-click-peer-{Environment.ProcessId}.png");
        var arguments = new List<string> { script, imagePath };
        foreach (var c in clicks)
        {
            arguments.Add("--point");
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{c.X},{c.Y}:{(c.Positive ? "fg" : "bg")}"));
        }
        arguments.Add("--mask-out");
        arguments.Add(mask);
        var run = ChildProcess.Run(python, arguments);
        if (run.ExitCode != 0) throw new InputFileException($"The click peer failed (exit {run.ExitCode}): {run.Error.Trim()}");
        try
        {
            var (w, h, values) = ImageFiles.ReadGray(mask, "peer mask");
            ImageGuard.SameSize("peer mask", w, h, width, height);
            return Mask.FromBytes(w, h, values);
        }
        finally
        {
            File.Delete(mask);
        }
    }
}
