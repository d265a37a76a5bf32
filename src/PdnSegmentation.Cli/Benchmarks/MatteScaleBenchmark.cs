using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

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
        var sizes = new Option<string?>("--megapixels") { Description = "Comma-separated sizes in megapixels (default 1,4,12; with --scribbles 1,4)." };
        var scribbles = new Option<bool>("--scribbles") { Description = "Levin's interface instead: a GrabCut-set photo with its published strokes as the trimap, beside PyMatting." };
        var dataset = new Option<string>("--dataset") { Description = "With --scribbles: the GrabCut set (images/, scribbles2/).", DefaultValueFactory = _ => "../shared/datasets/grabcut" };
        var name = new Option<string?>("--name") { Description = "With --scribbles: the image (default: the first with scribbles)." };
        var peer = new Option<string>("--pymatting") { Description = "With --scribbles: folder holding PyMatting's source (pymatting/), or 'none'.", DefaultValueFactory = _ => "../shared/peers/pymatting" };
        var preconditioner = new Option<string>("--preconditioner") { Description = "automatic, multigrid or incomplete-cholesky.", DefaultValueFactory = _ => "automatic" };
        var method = new Option<string>("--method") { Description = "closed-form (Refine Matte's) or info-flow (information flow, its accurate choice).", DefaultValueFactory = _ => "closed-form" };
        var fullScale = new Option<bool>("--full-scale") { Description = "Solve every size at full size (large trimaps are otherwise solved at a reduced scale and brought back by the local linear model)." };
        var command = new Command("matte-scale", "Refine Matte time and peak memory at growing image sizes.") { image, trimap, sizes, scribbles, dataset, name, peer, preconditioner, method, fullScale };
        command.SetAction(parse =>
        {
            long fullScaleUnknowns = parse.GetValue(fullScale) ? long.MaxValue : ReducedScaleMatting.DefaultFullScaleUnknowns;
            var options = new ClosedFormOptions { Preconditioner = ParsePreconditioner(parse.GetRequiredValue(preconditioner)), FullScaleUnknowns = fullScaleUnknowns };
            bool informationFlow = parse.GetRequiredValue(method) switch
            {
                "closed-form" => false,
                "info-flow" => true,
                var other => throw new UsageException($"--method '{other}': expected closed-form or info-flow."),
            };
            if (informationFlow && parse.GetValue(scribbles)) throw new UsageException("--scribbles compares closed-form with PyMatting's: leave --method out.");
            return parse.GetValue(scribbles)
                ? MatteScribbleBenchmark.Run(context, parse.GetRequiredValue(dataset), parse.GetValue(name), parse.GetValue(sizes) ?? "1,4", parse.GetRequiredValue(peer), options)
                : Run(context, parse.GetRequiredValue(image), parse.GetRequiredValue(trimap), parse.GetValue(sizes) ?? (informationFlow ? "1,4" : "1,4,12"), options, informationFlow);
        });
        return command;
    }

    private static (AlphaMatte Alpha, string Levels, string Iterations, int Reduction) ClosedFormColumns(ClosedFormResult result) =>
        (result.Alpha, result.Levels.ToString(CultureInfo.InvariantCulture), result.Solve.Iterations.ToString(CultureInfo.InvariantCulture), result.Reduction);

    private static MattingPreconditioner ParsePreconditioner(string text) => text switch
    {
        "automatic" => MattingPreconditioner.Automatic,
        "multigrid" => MattingPreconditioner.Multigrid,
        "incomplete-cholesky" => MattingPreconditioner.IncompleteCholesky,
        _ => throw new UsageException($"--preconditioner '{text}': expected automatic, multigrid or incomplete-cholesky."),
    };

    internal static IEnumerable<double> ParseSizes(string sizes)
    {
        var values = new List<double>();
        foreach (var text in sizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double mp) || mp <= 0)
                throw new UsageException($"--megapixels '{sizes}': expected positive numbers separated by commas.");
            values.Add(mp);
        }
        return values;
    }

    private static int Run(CommandContext context, string imagePath, string trimapPath, string sizes, ClosedFormOptions options, bool informationFlow)
    {
        var source = ImageFiles.ReadColor(imagePath);
        var (tw, th, grey) = ImageFiles.ReadGray(trimapPath, "trimap");
        ImageGuard.SameSize("trimap", tw, th, source.Width, source.Height);
        var output = context.Out;
        string methodName = informationFlow ? "information flow" : "closed-form";
        output.WriteLine($"Refine Matte ({methodName} + foreground colours) on {Path.GetFileName(imagePath)} enlarged; trimap enlarged by nearest neighbour; {Environment.ProcessorCount} cores.");
        output.WriteLine();
        output.WriteLine("| MP | size | unknown | solved at | multigrid levels | CG iterations | s | peak RSS MB |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (double mp in ParseSizes(sizes))
        {
            var (image, trimap) = TrimapScaling.Resample(source, mp, (x, y) => grey[y * tw + x]);
            int w = image.Width, h = image.Height;
            PeakMemory.Reset();
            var watch = Stopwatch.StartNew();
            // Information flow reports no solve statistics: its columns read "–".
            var informationFlowOptions = new InformationFlowOptions { FullScaleUnknowns = options.FullScaleUnknowns };
            var (alpha, levels, iterations, reduction) = informationFlow
                ? (InformationFlowMatting.Estimate(image, trimap, informationFlowOptions, null, context.Cancellation), "–", "–",
                    ReducedScaleMatting.Factor(trimap, informationFlowOptions.FullScaleUnknowns))
                : ClosedFormColumns(ClosedFormMatting.Estimate(image, trimap, options, null, context.Cancellation));
            ForegroundEstimation.EstimateForeground(image, alpha, null, context.Cancellation);
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = PeakMemory.Peak();
            double unknown = (double)trimap.Count(TrimapLabel.Unknown) / (w * h);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mp:G} | {w}×{h} | {unknown:P1} | {(reduction == 1 ? "full size" : $"1/{reduction}")} | {levels} | {iterations} | {seconds:F1} | {Stats.Mb(peak)} |"));
        }
        return ExitCodes.Success;
    }
}
