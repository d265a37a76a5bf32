using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench grabcut-scale</c>: time and peak memory as the image grows (1, 4, 16, 24 MP by default). Each
/// run is a fresh child process so that one run's peak memory cannot hide in another's.
/// </summary>
public static class GrabCutScaleBenchmark
{
    private const string ChildCommand = "grabcut-run";

    public static Command Create(CommandContext context)
    {
        var image = new Option<string>("--image") { Description = "Photo to enlarge (default: the bundled lemur sample).", DefaultValueFactory = _ => SampleFiles.Lemur("lemur.png") };
        var rect = new Option<string>("--rect") { Description = "Rectangle in the photo's own pixels.", DefaultValueFactory = _ => "120,40,430,400" };
        var sizes = new Option<string>("--megapixels") { Description = "Comma-separated sizes in megapixels.", DefaultValueFactory = _ => "1,4,16,24" };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 5 };
        var noPeer = new Option<bool>("--no-opencv") { Description = "Skip OpenCV (it needs about 5 GiB at 24 MP)." };
        var command = new Command("grabcut-scale", "GrabCut time and peak memory at growing image sizes, ours and OpenCV's, one child process per run.")
        {
            image, rect, sizes, iterations, noPeer,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetRequiredValue(rect),
            parse.GetRequiredValue(sizes), parse.GetValue(iterations), !parse.GetValue(noPeer)));
        return command;
    }

    /// <summary>The hidden child: one run, one line "RESULT ms peakBytes objectPixels" on stdout.</summary>
    public static Command CreateChildRun(CommandContext context)
    {
        var image = new Option<string>("--image") { Required = true };
        var rect = new Option<string>("--rect") { Required = true };
        var megapixels = new Option<double>("--megapixels") { Required = true };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 5 };
        var impl = new Option<string>("--impl") { Required = true };
        impl.AcceptOnlyFromAmong("ours", "opencv");
        var command = new Command(ChildCommand, "(internal) one scale-benchmark run.") { image, rect, megapixels, iterations, impl };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var (scaled, box) = Scaled(ImageFiles.ReadColor(parse.GetRequiredValue(image)),
                Arguments.ParseRectangle(parse.GetRequiredValue(rect)), parse.GetValue(megapixels));
            int n = parse.GetValue(iterations);
            bool ours = parse.GetRequiredValue(impl) == "ours";
            OpenCvGrabCut? peer = ours ? null : new OpenCvGrabCut(scaled);
            PeakMemory.Reset();
            var watch = Stopwatch.StartNew();
            var mask = ours
                ? GrabCut.Segment(scaled, GrabCutInput.FromRectangle(box), new GrabCutOptions { MaxIterations = n, ConvergenceTolerance = 0 }, null, context.Cancellation).Foreground
                : peer!.Segment(box, n);
            double ms = watch.Elapsed.TotalMilliseconds;
            long peak = PeakMemory.Peak();
            peer?.Dispose();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {ms:F1} {peak} {mask.CountSet()} {scaled.Width} {scaled.Height}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static (ColorImage Image, PixelRect Box) Scaled(ColorImage image, PixelRect rect, double megapixels)
    {
        double factor = Math.Sqrt(megapixels * 1e6 / image.PixelCount);
        int w = (int)Math.Round(image.Width * factor), h = (int)Math.Round(image.Height * factor);
        var box = new PixelRect((int)(rect.X * factor), (int)(rect.Y * factor), (int)(rect.Width * factor), (int)(rect.Height * factor));
        return (PixelMaps.Resize(image, w, h), box);
    }

    private sealed record Run1(double Ms, long Peak, long ObjectPixels, int Width, int Height);

    private static int Run(CommandContext context, string image, string rect, string sizes, int iterations, bool withPeer)
    {
        Arguments.ParseRectangle(rect);
        if (!File.Exists(image)) throw new InputFileException($"Cannot read the image '{image}': the file does not exist.");
        var megapixels = sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new UsageException($"--megapixels '{sizes}': expected positive numbers separated by commas.")).ToArray();
        var output = context.Out;
        output.WriteLine($"GrabCut scaling on {Path.GetFileName(image)} enlarged to {sizes} MP, {iterations} iterations, {Environment.ProcessorCount} cores; one process per run.");
        output.WriteLine();
        output.WriteLine("| MP | size | s ours | peak MB ours | s OpenCV | peak MB OpenCV | time ratio | ours time / first size |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        double? firstMs = null, firstMp = null;
        foreach (double mp in megapixels)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var ours = RunChild(image, rect, mp, iterations, "ours");
            var peer = withPeer ? RunChild(image, rect, mp, iterations, "opencv") : null;
            firstMs ??= ours.Ms;
            firstMp ??= mp;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mp:G} | {ours.Width}×{ours.Height} | {ours.Ms / 1000:F2} | {Stats.Mb(ours.Peak)} | " +
                $"{(peer is null ? "—" : (peer.Ms / 1000).ToString("F2", CultureInfo.InvariantCulture))} | {(peer is null ? "—" : Stats.Mb(peer.Peak))} | " +
                $"{(peer is null ? "—" : (ours.Ms / peer.Ms).ToString("F2", CultureInfo.InvariantCulture))} | {ours.Ms / firstMs.Value:F1}× for {mp / firstMp.Value:G}× pixels |"));
        }
        return ExitCodes.Success;
    }

    private static Run1 RunChild(string image, string rect, double mp, int iterations, string impl)
    {
        var run = ChildProcess.RunSelf(["bench", ChildCommand, "--image", image, "--rect", rect, "--megapixels", mp.ToString(CultureInfo.InvariantCulture),
            "--iterations", iterations.ToString(CultureInfo.InvariantCulture), "--impl", impl]);
        var line = run.Output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (run.ExitCode != 0 || line is null)
            throw new InputFileException($"The {impl} run at {mp} MP failed (exit {run.ExitCode}): {run.Error.Trim()}");
        var f = line.Split(' ');
        return new Run1(double.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture),
            long.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture));
    }
}
