using System.CommandLine;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg lazysnap</c>: cut an object out from strokes painted in two colours.</summary>
public static class LazySnapCommand
{
    public static Command Create(CommandContext context)
    {
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
        var scribbles = new Option<string>("--scribbles") { Description = "Image of the same size with the strokes: object strokes in --fg-color, background strokes in --bg-color, anything else (or transparent) unmarked.", Required = true };
        var fgColor = new Option<string>("--fg-color") { Description = "Colour of object strokes, #RRGGBB.", DefaultValueFactory = _ => "#FFFFCF" };
        var bgColor = new Option<string>("--bg-color") { Description = "Colour of background strokes, #RRGGBB.", DefaultValueFactory = _ => "#DB0000" };
        var tolerance = new Option<int>("--tolerance") { Description = "Per-channel difference still read as a stroke colour (for anti-aliased or JPEG strokes).", DefaultValueFactory = _ => 0 };
        var smoothness = new Option<double>("--smoothness") { Description = "λ: how strongly the cut prefers colour edges over the colour models.", DefaultValueFactory = _ => new LazySnapOptions().Smoothness };
        var output = new Option<string>("--output", "-o") { Description = "The cut-out: straight-alpha RGBA PNG, object opaque, background transparent.", Required = true };
        var maskOut = new Option<string?>("--mask-out") { Description = "Also write the object mask (0 / 255)." };
        var command = new Command("lazysnap", "Cut an object out from a few strokes (Lazy Snapping: watershed regions, graph cut, pixel-accurate boundary).")
        {
            image, scribbles, fgColor, bgColor, tolerance, smoothness, output, maskOut,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetRequiredValue(scribbles),
            Arguments.ParseColor(parse.GetRequiredValue(fgColor), "--fg-color"), Arguments.ParseColor(parse.GetRequiredValue(bgColor), "--bg-color"),
            parse.GetValue(tolerance), parse.GetValue(smoothness), parse.GetRequiredValue(output), parse.GetValue(maskOut)));
        return command;
    }

    private static int Run(CommandContext context, string imagePath, string scribblePath, Bgra32 fgColor, Bgra32 bgColor, int tolerance,
        double smoothness, string outputPath, string? maskPath)
    {
        if (tolerance is < 0 or > 127) throw new UsageException($"--tolerance must be between 0 and 127 (got {tolerance}).");
        if (!(smoothness >= 0) || double.IsInfinity(smoothness)) throw new UsageException($"--smoothness must be a non-negative number (got {smoothness}).");
        if (ScribbleMasks.ColorsIndistinguishable(fgColor, bgColor, tolerance)) throw new UsageException("--fg-color and --bg-color are the same colour (within --tolerance): strokes could not be told apart.");
        ImageFiles.CheckColorOutputName(outputPath);
        if (maskPath is not null) ImageFiles.CheckGrayOutputName(maskPath);
        OutputFiles.CheckWritable(outputPath);
        OutputFiles.CheckWritable(maskPath);
        var image = ImageFiles.ReadColor(imagePath);
        var painted = ImageFiles.ReadColor(scribblePath, "scribbles");
        ImageGuard.SameSize($"scribbles '{Path.GetFileName(scribblePath)}'", painted.Width, painted.Height, image.Width, image.Height);
        var strokes = ScribbleMasks.FromColorImage(painted, fgColor, bgColor, tolerance);
        string name = Path.GetFileName(scribblePath);
        if (strokes.Foreground.IsEmpty)
            throw new SegmentationInputException($"'{name}' has no object stroke: no pixel has the colour {Arguments.FormatColor(fgColor)}" +
                                                 $"{(tolerance > 0 ? $" (±{tolerance})" : "")}. Paint strokes on the object in that colour, or give their colour with --fg-color.");
        if (strokes.Background.IsEmpty)
            throw new SegmentationInputException($"'{name}' has no background stroke: no pixel has the colour {Arguments.FormatColor(bgColor)}" +
                                                 $"{(tolerance > 0 ? $" (±{tolerance})" : "")}. Paint strokes on the background in that colour, or give their colour with --bg-color.");

        var session = new LazySnapSession(image, new LazySnapOptions { Smoothness = smoothness }, context.Cancellation);
        var result = session.Segment(strokes, context.Cancellation);

        CutOutFiles.WriteHard(image, result.Foreground, outputPath, maskPath, context.Cancellation);
        long objectPixels = result.Foreground.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(outputPath)}: {objectPixels} object pixels ({100.0 * objectPixels / image.PixelCount:F1} %), {session.Regions.Count} watershed regions");
        return ExitCodes.Success;
    }
}
