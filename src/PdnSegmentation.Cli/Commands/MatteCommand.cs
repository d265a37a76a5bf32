using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg matte</c>: soft alpha and decontaminated colours from a trimap.</summary>
public static class MatteCommand
{
    private const string TrimapKind = "trimap";

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments("--alpha-out", "-alpha");
        var trimap = new SideInput(TrimapKind, "--trimap", "--trimap-dir", "Trimap: white (255) = object, black (0) = background, any other grey = unknown.", required: true);
        var method = new Option<string>("--method")
        {
            Description = "closed-form (Levin et al.; smooth, the default), bayesian (Chuang et al.; local colour models), random-walk (Grady et al.; fast), " +
                          "poisson (Sun et al.; needs smooth object and background colours), info-flow (Aksoy et al.; information flow) or deep (an installed deep matting model).",
            DefaultValueFactory = _ => "closed-form",
        };
        method.AcceptOnlyFromAmong("closed-form", "bayesian", "random-walk", "poisson", "info-flow", "deep");
        var model = new Option<string?>("--model") { Description = "With --method deep: the installed matting model (default: the first installed)." };
        var modelsDir = ModelsCommand.FolderOption();
        var colorSigma = new Option<double>("--color-sigma") { Description = "Bayesian matting's camera noise σ_C, colour units 0..1.", DefaultValueFactory = _ => new BayesianMattingOptions().ColorSigma };
        var alphaOut = new Option<string?>("--alpha-out") { Description = "Write the alpha matte (8-bit grey)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG with estimated object colours." };
        var fullScale = new Option<bool>("--full-scale")
        {
            Description = $"closed-form and info-flow: solve at full size however large the unknown region (above {ReducedScaleMatting.DefaultFullScaleUnknowns:N0} unknown pixels " +
                          "they otherwise solve a reduced copy and bring the matte back through its local colour model: several times faster, as accurate on the benchmarks).",
        };
        var command = new Command("matte", "Soft alpha matte (closed-form, Bayesian, random-walk, Poisson, information-flow or an installed deep matting model) and clean edge colours from a trimap (or many).")
        {
            method, colorSigma, model, modelsDir, alphaOut, output, fullScale,
        };
        batch.AddTo(command, trimap);
        command.SetAction(parse =>
        {
            bool deep = parse.GetRequiredValue(method) == "deep";
            var options = deep ? null : Options(parse.GetRequiredValue(method), parse.GetValue(colorSigma), parse.GetValue(fullScale));
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(alphaOut), [trimap]);
            string? modelsFolder = parse.GetValue(modelsDir);
            using var deepModel = deep
                ? ModelsCommand.OpenMatting(context, parse.GetValue(model), modelsFolder, ExecutionDevice.Auto, BatchRunner.ModelThreads(plan))
                  ?? throw new InputFileException($"No deep matting model is installed in {ModelsCommand.Store(modelsFolder)}: install one (e.g. ViTMatte) with 'pdnseg models install', or use --method closed-form.")
                : null;
            // Peak bytes per pixel of one image (bench matte-scale: 927 MB at 12 MP with a painted trimap; more when mostly unknown).
            return BatchRunner.Run(context, plan, 120, (job, jobContext) => Matte(jobContext, job, options, deepModel));
        });
        return command;
    }

    internal static MattingMethod ParseMethod(string name) => name switch
    {
        "closed-form" => MattingMethod.ClosedForm,
        "bayesian" => MattingMethod.Bayesian,
        "random-walk" => MattingMethod.RandomWalk,
        "poisson" => MattingMethod.Poisson,
        "info-flow" => MattingMethod.InformationFlow,
        _ => throw new UsageException($"Unknown matting method '{name}': use closed-form, bayesian, random-walk, poisson or info-flow."),
    };

    private static RefineMatteOptions Options(string method, double colorSigma, bool fullScale)
    {
        if (!(colorSigma > 0 && colorSigma <= 1)) throw new UsageException($"--color-sigma must be in (0, 1] (got {colorSigma}).");
        long fullScaleUnknowns = fullScale ? long.MaxValue : ReducedScaleMatting.DefaultFullScaleUnknowns;
        return new RefineMatteOptions
        {
            Method = ParseMethod(method),
            Bayesian = new BayesianMattingOptions { ColorSigma = colorSigma },
            ClosedForm = new ClosedFormOptions { FullScaleUnknowns = fullScaleUnknowns },
            InformationFlow = new InformationFlowOptions { FullScaleUnknowns = fullScaleUnknowns },
        };
    }

    /// <param name="options">The classic method's options; null for the deep matting model.</param>
    private static void Matte(CommandContext context, ImageJob job, RefineMatteOptions? options, DeepMatting? deep)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        string trimapPath = job.Side(TrimapKind)!;
        var (tw, th, grey) = ImageFiles.ReadGray(trimapPath, TrimapKind, context.MaxPixels);
        ImageGuard.SameSize($"trimap '{Path.GetFileName(trimapPath)}'", tw, th, image.Width, image.Height);
        var trimap = Trimap.FromGray(tw, th, grey);

        MatteResult result;
        if (options is null)
        {
            result = deep!.Matte(image, trimap, null, context.Cancellation);
        }
        else
        {
            using var progress = new ConsoleProgress(context.Error, "Matting");
            if (job.CutOutPath is null)
            {
                // Only the alpha is asked for: no foreground colours, which are a tenth of Refine Matte's time.
                var alpha = RefineMatte.EstimateAlpha(image, trimap, options, progress, context.Cancellation);
                var outputs = new OutputFiles();
                outputs.Add(job.MaskPath!, ImageFiles.EncodeGray(image.Width, image.Height, alpha.ToBytes(), job.MaskPath!));
                outputs.Commit(context.Cancellation);
                ReportMatted(context, image, trimap, job.MaskPath!);
                return;
            }
            result = RefineMatte.FromTrimap(image, trimap, options, progress, context.Cancellation);
        }
        WriteOutputs(context, image, result, job.MaskPath, job.CutOutPath);
    }

    private static void ReportMatted(CommandContext context, ColorImage image, Trimap trimap, string path)
    {
        long unknown = trimap.Count(TrimapLabel.Unknown);
        context.Out.WriteLine($"{Path.GetFileName(path)}: matted {unknown} unknown pixels ({100.0 * unknown / image.PixelCount:F1} %)");
    }

    /// <summary>Writes the matte's files all-or-nothing (shared with <c>cut --matte</c>).</summary>
    internal static void WriteOutputs(CommandContext context, ColorImage image, MatteResult result, string? alphaPath, string? outputPath, (string Path, byte[] Bytes)? extra = null)
    {
        CutOutFiles.WriteMatte(image, result, outputPath, alphaPath, context.Cancellation, extra);
        ReportMatted(context, image, result.Trimap, (outputPath ?? alphaPath ?? extra?.Path)!);
    }
}
