using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Segmentation;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg subject</c>: the main subject of a photo without any prompt (u2netp or the selfie model).</summary>
public static class SubjectCommand
{
    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var model = new Option<string?>("--model")
        {
            Description = "An installed subject model: u2netp (bundled, any salient object; the default), selfie (bundled, people) or one you installed " +
                          "(e.g. isnet-general-use; 'pdnseg models list').",
        };
        var refine = new Option<string>("--refine") { Description = "graphcut (default): refine the model's mask by a graph cut at full resolution, then clean it up (--objects, --fill-holes); none: the model's mask alone.", DefaultValueFactory = _ => "graphcut" };
        refine.AcceptOnlyFromAmong("graphcut", "none");
        var device = new Option<string>("--device") { Description = "auto, cpu or directml (falls back to the CPU, saying why, where DirectML cannot run).", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "directml");
        var matte = new Option<bool>("--matte") { Description = "Matting Anything: refine the subject's edge (automatic trimap, closed-form matte, clean colours)." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the trimap's unknown band.", DefaultValueFactory = _ => 8 };
        var mattingModel = ModelsCommand.MattingModelOption();
        var modelsDir = ModelsCommand.FolderOption();
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the subject mask (0 / 255, or the soft matte with --matte)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG." };
        // With the refinement: main object only by default (measured: +2 IoU points on the GrabCut and Berkeley sets).
        var cleanup = new CleanupArguments(mainObjectByDefault: true);
        var command = new Command("subject", "Select the main subject of a photo (or many) with a deep model (no prompt needed).")
        {
            model, refine, device, matte, band, mattingModel, modelsDir, maskOut, output,
        };
        batch.AddTo(command);
        foreach (var option in cleanup.Options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var refinement = parse.GetRequiredValue(refine) == "graphcut" ? new SoftMaskRefinementOptions { Cleanup = cleanup.Read(parse) } : null;
            double? bandWidth = parse.GetValue(matte) ? parse.GetValue(band) : null;
            if (bandWidth is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {bandWidth}).");
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), []);
            string? modelsFolder = parse.GetValue(modelsDir);
            var deviceChoice = ParseDevice(parse.GetRequiredValue(device));
            var installed = ModelsCommand.Store(modelsFolder).Subject(parse.GetValue(model));
            int modelThreads = BatchRunner.ModelThreads(plan);
            using var selector = SubjectSelector.Open(installed, new SelectSubjectOptions { Device = deviceChoice, Refinement = refinement, CpuThreads = modelThreads });
            Prepare(context, selector, installed.Name);
            using var deep = bandWidth is null ? null : ModelsCommand.OpenMatting(context, parse.GetValue(mattingModel), modelsFolder, deviceChoice, modelThreads);
            // Peak bytes per pixel of one image: the probability map, the graph-cut refinement (and the matte with --matte).
            return BatchRunner.Run(context, plan, bandWidth is null ? 80 : 140,
                (job, jobContext) => Select(jobContext, job, selector, installed.Name, refinement is not null, bandWidth, deep));
        });
        return command;
    }

    /// <summary>Says which device runs the model (and why it fell back), and warms a GPU up visibly before the first run.</summary>
    internal static void Prepare(CommandContext context, IDeviceModel model, string name)
    {
        if (model.Device.FallbackReason is { } reason) context.Error.WriteLine($"pdnseg: {reason}");
        if (!model.NeedsWarmUp) return;
        context.Error.WriteLine($"Preparing {name} on {model.Device.Device} (first use: the GPU compiles its shaders)...");
        model.WarmUp(context.Cancellation);
    }

    internal static ExecutionDevice ParseDevice(string name) => name switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "directml" => ExecutionDevice.DirectML,
        _ => ExecutionDevice.Auto,
    };

    private static void Select(CommandContext context, ImageJob job, SubjectSelector selector, string modelName, bool refined, double? band, DeepMatting? deep)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        SubjectResult subject;
        using (var progress = new ConsoleProgress(context.Error, "Selecting the subject"))
            subject = selector.Select(image, context.Cancellation, progress);

        if (band is { } width)
        {
            MatteResult result;
            using (var progress = new ConsoleProgress(context.Error, "Matting"))
                result = MattingAnything.FromSubject(image, subject, new TrimapBandOptions { BandWidth = width }, null, progress, context.Cancellation, deep);
            CutOutFiles.WriteMatte(image, result, job.CutOutPath, job.MaskPath, context.Cancellation);
        }
        else
        {
            if (subject.Mask.IsEmpty) throw new SegmentationInputException("No subject was found in the image: try another --model (selfie for people), or cut with 'pdnseg cut'.");
            CutOutFiles.WriteHard(image, subject.Mask, job.CutOutPath, job.MaskPath, context.Cancellation);
        }
        long count = subject.Mask.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: subject {count} pixels ({100.0 * count / image.PixelCount:F1} %), model {modelName}{(refined ? " + graph-cut refinement" : "")}, device {selector.Device.Device}");
    }
}
