using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg lazysnap</c>: cut an object out from strokes painted in two colours.</summary>
public static class LazySnapCommand
{
    private const string ScribblesKind = "scribbles";

    private sealed record Settings(Bgra32 FgColor, Bgra32 BgColor, int Tolerance, double Smoothness);

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var scribbles = new SideInput(ScribblesKind, "--scribbles", "--scribbles-dir",
            "Image of the same size with the strokes: object strokes in --fg-color, background strokes in --bg-color, anything else (or transparent) unmarked.", required: true);
        var fgColor = new Option<string>("--fg-color") { Description = "Colour of object strokes, #RRGGBB.", DefaultValueFactory = _ => "#FFFFCF" };
        var bgColor = new Option<string>("--bg-color") { Description = "Colour of background strokes, #RRGGBB.", DefaultValueFactory = _ => "#DB0000" };
        var tolerance = new Option<int>("--tolerance") { Description = "Per-channel difference still read as a stroke colour (for anti-aliased or JPEG strokes).", DefaultValueFactory = _ => 0 };
        var smoothness = new Option<double>("--smoothness") { Description = "λ: how strongly the cut prefers colour edges over the colour models.", DefaultValueFactory = _ => new LazySnapOptions().Smoothness };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG, object opaque, background transparent." };
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the object mask (0 / 255)." };
        var command = new Command("lazysnap", "Cut an object out from a few strokes (Lazy Snapping: watershed regions, graph cut, pixel-accurate boundary).")
        {
            fgColor, bgColor, tolerance, smoothness, output, maskOut,
        };
        batch.AddTo(command, scribbles);
        command.SetAction(parse =>
        {
            var settings = new Settings(Arguments.ParseColor(parse.GetRequiredValue(fgColor), "--fg-color"), Arguments.ParseColor(parse.GetRequiredValue(bgColor), "--bg-color"),
                parse.GetValue(tolerance), parse.GetValue(smoothness));
            if (settings.Tolerance is < 0 or > 127) throw new UsageException($"--tolerance must be between 0 and 127 (got {settings.Tolerance}).");
            if (!(settings.Smoothness >= 0) || double.IsInfinity(settings.Smoothness)) throw new UsageException($"--smoothness must be a non-negative number (got {settings.Smoothness}).");
            if (ScribbleMasks.ColorsIndistinguishable(settings.FgColor, settings.BgColor, settings.Tolerance))
                throw new UsageException("--fg-color and --bg-color are the same colour (within --tolerance): strokes could not be told apart.");
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), [scribbles]);
            // Peak bytes per pixel of one image: the image, the scribble image, watershed regions and the pixel graph.
            return BatchRunner.Run(context, plan, 100, (job, jobContext) => Snap(jobContext, settings, job));
        });
        return command;
    }

    private static void Snap(CommandContext context, Settings settings, ImageJob job)
    {
        var (fgColor, bgColor, tolerance, smoothness) = settings;
        string scribblePath = job.Side(ScribblesKind)!;
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        var painted = ImageFiles.ReadColor(scribblePath, "scribbles", context.MaxPixels);
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

        CutOutFiles.WriteHard(image, result.Foreground, job.CutOutPath, job.MaskPath, context.Cancellation);
        long objectPixels = result.Foreground.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {objectPixels} object pixels ({100.0 * objectPixels / image.PixelCount:F1} %), {session.Regions.Count} watershed regions");
    }
}
