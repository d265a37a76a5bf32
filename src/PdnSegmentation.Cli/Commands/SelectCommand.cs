using System.CommandLine;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Commands;

/// <summary>
/// <c>pdnseg select</c>: click to select. The click engine (graph cut with the clicks as hard constraints and a
/// geodesic prior) with an installed Segment Anything model's prior, else the bundled u2netp's, or none (classic).
/// </summary>
public static class SelectCommand
{
    public static Command Create(CommandContext context)
    {
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
        var points = new Option<string[]>("--point") { Description = "A click: X,Y (on the object) or X,Y:bg (on the background); repeat for more, in the order clicked.", DefaultValueFactory = _ => [] };
        var box = new Option<string?>("--box") { Description = "A box around the object: X,Y,W,H in pixels (outside it is background)." };
        var model = new Option<string?>("--model")
        {
            Description = "classic: the click engine alone; a Segment Anything or subject model's name: its prior added. " +
                          "Default: an installed Segment Anything model, else the bundled u2netp (no download needed).",
        };
        var device = new Option<string>("--device") { Description = "auto, cpu or directml (for the model).", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "directml");
        var matte = new Option<bool>("--matte") { Description = "Refine the edge: automatic trimap, closed-form matte (or an installed deep matting model), clean colours." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the trimap's unknown band.", DefaultValueFactory = _ => 8 };
        var mattingModel = ModelsCommand.MattingModelOption();
        var modelsDir = ModelsCommand.FolderOption();
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the mask (0 / 255, or the soft matte with --matte)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG." };
        var command = new Command("select", "Click to select: the object under object / background clicks and an optional box (works without any downloaded model).")
        {
            image, points, box, model, device, matte, band, mattingModel, modelsDir, maskOut, output,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetValue(points) ?? [], parse.GetValue(box), parse.GetValue(model),
            parse.GetRequiredValue(device), parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(mattingModel), parse.GetValue(modelsDir),
            parse.GetValue(maskOut), parse.GetValue(output)));
        return command;
    }

    private static int Run(CommandContext context, string imagePath, string[] pointTexts, string? boxText, string? modelName, string deviceName, double? band,
        string? mattingModel, string? modelsDir, string? maskPath, string? outputPath)
    {
        if (maskPath is null && outputPath is null) throw new UsageException("Nothing to write: give --mask-out <mask.png> and/or -o <cutout.png>.");
        if (boxText is null && pointTexts.Length == 0) throw new UsageException("Give at least one click (--point X,Y on the object) or a --box X,Y,W,H around it.");
        if (band is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {band}).");
        PixelRect? box = boxText is null ? null : Arguments.ParseRectangle(boxText, "--box");
        var clicks = pointTexts.Select(SamCommand.ParsePoint).Select(p => new Click((int)Math.Round(p.X), (int)Math.Round(p.Y), p.Foreground)).ToList();
        if (outputPath is not null) ImageFiles.CheckColorOutputName(outputPath);
        if (maskPath is not null) ImageFiles.CheckGrayOutputName(maskPath);
        OutputFiles.CheckWritable(outputPath);
        OutputFiles.CheckWritable(maskPath);
        var image = ImageFiles.ReadColor(imagePath);
        var deviceChoice = SubjectCommand.ParseDevice(deviceName);
        using var engine = ClickModel.Open(ModelsCommand.Store(modelsDir), modelName, deviceChoice);
        if (engine.DeviceModel is { } deep) SubjectCommand.Prepare(context, deep, engine.Name);
        // The session checks every click (inside the image, object clicks inside the box) before any work.
        var session = new ClickSession(image, null, box, engine.PriorFor(image));
        Mask mask;
        using (var progress = new ConsoleProgress(context.Error, "Selecting"))
            mask = session.AddRange(clicks, progress, context.Cancellation);
        if (mask.IsEmpty) throw new SegmentationInputException("Nothing was selected: click on the object itself.");

        SamCommand.WriteCut(context, image, mask, band, mattingModel, modelsDir, deviceChoice, outputPath, maskPath);
        long count = mask.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(outputPath ?? maskPath)}: {count} object pixels ({100.0 * count / image.PixelCount:F1} %), " +
                              $"{clicks.Count} click{(clicks.Count == 1 ? "" : "s")}{(box is null ? "" : " and a box")}, {engine.Description}");
        return ExitCodes.Success;
    }
}
