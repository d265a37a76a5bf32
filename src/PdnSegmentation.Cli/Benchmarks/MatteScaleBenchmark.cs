using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench matte-scale</c>: Refine Matte (closed-form alpha + foreground colours) on a photo and its trimap
/// enlarged to the given sizes; time and peak resident memory per size.
/// </summary>
public static class MatteScaleBenchmark
{
    public static Command Create(CommandContext context)
    {
        var image = new Option<string>("--image") { Description = "Photo (default: the bundled lemur sample).", DefaultValueFactory = _ => SampleFiles.Lemur("lemur.png") };
        var trimap = new Option<string>("--trimap") { Description = "Its trimap (default: the lemur's).", DefaultValueFactory = _ => SampleFiles.Lemur("lemur_trimap.png") };
        var sizes = new Option<string>("--megapixels") { Description = "Comma-separated sizes in megapixels.", DefaultValueFactory = _ => "1,4,12" };
        var command = new Command("matte-scale", "Refine Matte time and peak memory at growing image sizes.") { image, trimap, sizes };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetRequiredValue(trimap), parse.GetRequiredValue(sizes)));
        return command;
    }

    private static int Run(CommandContext context, string imagePath, string trimapPath, string sizes)
    {
        var source = ImageFiles.ReadColor(imagePath);
        var (tw, th, grey) = ImageFiles.ReadGray(trimapPath, "trimap");
        ImageGuard.SameSize("trimap", tw, th, source.Width, source.Height);
        var output = context.Out;
        output.WriteLine($"Refine Matte (closed-form + foreground colours) on {Path.GetFileName(imagePath)} enlarged; trimap enlarged by nearest neighbour; {Environment.ProcessorCount} cores.");
        output.WriteLine();
        output.WriteLine("| MP | size | unknown | CG iterations | s | peak RSS MB |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var text in sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double mp) || mp <= 0)
                throw new UsageException($"--megapixels '{sizes}': expected positive numbers separated by commas.");
            double factor = Math.Sqrt(mp * 1e6 / source.PixelCount);
            int w = (int)Math.Round(source.Width * factor), h = (int)Math.Round(source.Height * factor);
            var image = PixelMaps.Resize(source, w, h);
            var labels = new byte[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    labels[y * w + x] = grey[Math.Min(th - 1, (int)(y / factor)) * tw + Math.Min(tw - 1, (int)(x / factor))];
            var trimap = Trimap.FromGray(w, h, labels);
            labels = null;
            PeakMemory.Reset();
            var watch = Stopwatch.StartNew();
            var alpha = ClosedFormMatting.Estimate(image, trimap, null, null, context.Cancellation);
            ForegroundEstimation.Estimate(image, alpha.Alpha, null, context.Cancellation);
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = PeakMemory.Peak();
            double unknown = (double)trimap.Count(TrimapLabel.Unknown) / (w * h);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mp:G} | {w}×{h} | {unknown:P1} | {alpha.Solve.Iterations} | {seconds:F1} | {Stats.Mb(peak)} |"));
        }
        return ExitCodes.Success;
    }
}
