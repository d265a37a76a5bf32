using System.CommandLine;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
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
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
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
        var command = new Command("subject", "Select the main subject of a photo with a deep model (no prompt needed).")
        {
            image, model, refine, device, matte, band, mattingModel, modelsDir, maskOut, output,
        };
        foreach (var option in cleanup.Options) command.Options.Add(option);
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetValue(model),
            parse.GetRequiredValue(refine) == "graphcut" ? new SoftMaskRefinementOptions { Cleanup = cleanup.Read(parse) } : null, parse.GetRequiredValue(device),
            parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(mattingModel), parse.GetValue(modelsDir), parse.GetValue(maskOut), parse.GetValue(output)));
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

    private static int Run(CommandContext context, string imagePath, string? modelName, SoftMaskRefinementOptions? refinement, string deviceName, double? band, string? mattingModel, string? modelsDir,
        string? maskPath, string? outputPath)
    {
        if (maskPath is null && outputPath is null) throw new UsageException("Nothing to write: give --mask-out <mask.png> and/or -o <cutout.png>.");
        if (band is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {band}).");
        if (outputPath is not null) ImageFiles.CheckColorOutputName(outputPath);
        if (maskPath is not null) ImageFiles.CheckGrayOutputName(maskPath);
        OutputFiles.CheckWritable(outputPath);
        OutputFiles.CheckWritable(maskPath);
        var model = ModelsCommand.Store(modelsDir).Subject(modelName);
        var image = ImageFiles.ReadColor(imagePath);
        using var selector = SubjectSelector.Open(model, new SelectSubjectOptions { Device = ParseDevice(deviceName), Refinement = refinement });
        SubjectCommand.Prepare(context, selector, model.Name);
        SubjectResult subject;
        using (var progress = new ConsoleProgress(context.Error, "Selecting the subject"))
            subject = selector.Select(image, context.Cancellation, progress);

        if (band is { } width)
        {
            using var deep = ModelsCommand.OpenMatting(context, mattingModel, modelsDir, ParseDevice(deviceName));
            MatteResult result;
            using (var progress = new ConsoleProgress(context.Error, "Matting"))
                result = MattingAnything.FromSubject(image, subject, new TrimapBandOptions { BandWidth = width }, null, progress, context.Cancellation, deep);
            CutOutFiles.WriteMatte(image, result, outputPath, maskPath, context.Cancellation);
        }
        else
        {
            if (subject.Mask.IsEmpty) throw new SegmentationInputException("No subject was found in the image: try another --model (selfie for people), or cut with 'pdnseg cut'.");
            CutOutFiles.WriteHard(image, subject.Mask, outputPath, maskPath, context.Cancellation);
        }
        long count = subject.Mask.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(outputPath ?? maskPath)}: subject {count} pixels ({100.0 * count / image.PixelCount:F1} %), model {model.Name}{(refinement is null ? "" : " + graph-cut refinement")}, device {selector.Device.Device}");
        return ExitCodes.Success;
    }
}
