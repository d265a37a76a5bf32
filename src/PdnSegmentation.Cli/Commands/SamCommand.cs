using System.CommandLine;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg sam</c>: Segment Anything from a box and/or clicks, with an installed SAM-family model.</summary>
public static class SamCommand
{
    public static Command Create(CommandContext context)
    {
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
        var box = new Option<string?>("--box") { Description = "A box around the object: X,Y,W,H in pixels." };
        var points = new Option<string[]>("--point") { Description = "A click: X,Y (on the object) or X,Y:bg (on the background); repeat for more.", DefaultValueFactory = _ => [] };
        var model = new Option<string?>("--model") { Description = "Installed Segment Anything model (default: the first installed)." };
        var modelsDir = ModelsCommand.FolderOption();
        var device = new Option<string>("--device") { Description = "auto, cpu or directml.", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "directml");
        var matte = new Option<bool>("--matte") { Description = "Refine the edge: automatic trimap, closed-form matte, clean colours." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the trimap's unknown band.", DefaultValueFactory = _ => 8 };
        var mattingModel = ModelsCommand.MattingModelOption();
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the mask (0 / 255, or the soft matte with --matte)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG." };
        var command = new Command("sam", "Segment Anything: the object under a box and/or clicks (needs an installed SAM-family model).")
        {
            image, box, points, model, modelsDir, device, matte, band, mattingModel, maskOut, output,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetValue(box), parse.GetValue(points) ?? [], parse.GetValue(model),
            parse.GetValue(modelsDir), parse.GetRequiredValue(device), parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(mattingModel),
            parse.GetValue(maskOut), parse.GetValue(output)));
        return command;
    }

    internal static (double X, double Y, bool Foreground) ParsePoint(string text)
    {
        string[] parts = text.Split(':');
        bool foreground = parts.Length == 1 || parts[1] is "fg" or "object";
        if (parts.Length > 2 || (parts.Length == 2 && parts[1] is not ("fg" or "bg" or "object" or "background")))
            throw new UsageException($"--point '{text}': write X,Y or X,Y:fg or X,Y:bg.");
        var xy = parts[0].Split(',');
        if (xy.Length != 2 || !double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ||
            !double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
            throw new UsageException($"--point '{text}' is not a point; write X,Y in pixels, e.g. --point 320,200 or --point 40,30:bg.");
        return (x, y, foreground && parts is not [_, "bg" or "background"]);
    }

    /// <summary>
    /// The outputs of a prompted cut (sam, select): the hard mask and cut-out, or with <paramref name="band"/> the
    /// Matting Anything chain on the mask (an installed deep matting model for the band, else closed-form).
    /// </summary>
    /// <param name="deep">The installed deep matting model the caller opened for the band (<see cref="ModelsCommand.OpenMatting"/>), or null.</param>
    internal static void WriteCut(CommandContext context, ColorImage image, Mask mask, double? band, DeepMatting? deep, string? outputPath, string? maskPath)
    {
        if (band is not { } width)
        {
            CutOutFiles.WriteHard(image, mask, outputPath, maskPath, context.Cancellation);
            return;
        }
        MatteResult matte;
        using (var progress = new ConsoleProgress(context.Error, "Matting"))
            matte = MattingAnything.FromMask(image, mask, null, new TrimapBandOptions { BandWidth = width }, null, progress, context.Cancellation, deep);
        CutOutFiles.WriteMatte(image, matte, outputPath, maskPath, context.Cancellation);
    }

    private static int Run(CommandContext context, string imagePath, string? boxText, string[] pointTexts, string? modelName, string? modelsDir, string deviceName,
        double? band, string? mattingModel, string? maskPath, string? outputPath)
    {
        if (maskPath is null && outputPath is null) throw new UsageException("Nothing to write: give --mask-out <mask.png> and/or -o <cutout.png>.");
        if (boxText is null && pointTexts.Length == 0) throw new UsageException("Give a prompt: --box X,Y,W,H and/or --point X,Y[:fg|bg].");
        PixelRect? box = boxText is null ? null : Arguments.ParseRectangle(boxText, "--box");
        var points = pointTexts.Select(ParsePoint).ToList();
        if (outputPath is not null) ImageFiles.CheckColorOutputName(outputPath);
        if (maskPath is not null) ImageFiles.CheckGrayOutputName(maskPath);
        OutputFiles.CheckWritable(outputPath);
        OutputFiles.CheckWritable(maskPath);
        var chosen = ModelsCommand.Store(modelsDir).SegmentAnything(modelName);
        var image = ImageFiles.ReadColor(imagePath, "image", context.MaxPixels);
        foreach (var (x, y, _) in points)
            if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
                throw new SegmentationInputException($"The point ({x}, {y}) lies outside the {image.Width}×{image.Height} image.");
        using var sam = SegmentAnything.Open(chosen, SubjectCommand.ParseDevice(deviceName));
        SubjectCommand.Prepare(context, sam, chosen.Name.ToString());
        var result = sam.Segment(image, new SamPrompt(box, points), context.Cancellation);
        if (result.Mask.IsEmpty) throw new SegmentationInputException("Segment Anything found nothing under this prompt: click on the object itself, or draw a box around it.");

        using (var deep = band is null ? null : ModelsCommand.OpenMatting(context, mattingModel, modelsDir, SubjectCommand.ParseDevice(deviceName)))
            WriteCut(context, image, result.Mask, band, deep, outputPath, maskPath);
        long count = result.Mask.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(outputPath ?? maskPath)}: {count} object pixels ({100.0 * count / image.PixelCount:F1} %), model {chosen.Name}, mask {result.Variant} (predicted IoU {result.PredictedIoU:F2}), device {sam.Device.Device}");
        return ExitCodes.Success;
    }
}
