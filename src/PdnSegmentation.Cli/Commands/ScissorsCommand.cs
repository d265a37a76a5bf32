using System.CommandLine;
using System.Globalization;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Imaging;
using PdnSegmentation.Scissors;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg scissors</c>: Snap to Edges — a rough polygon (or a mask's outlines) pulled onto the object's edges.</summary>
public static class ScissorsCommand
{
    private const string OutlineMask = "outline mask";

    private sealed record Settings(Outline? Polygon, EdgeSnapOptions Options, double? MatteBand, bool BorderMatting);

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var polygon = new Option<string[]>("--polygon")
        {
            Description = "The rough outline around the object: its vertices X1,Y1 X2,Y2 ... in pixels (at least three; the last joins the first).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var outlineMask = new SideInput(OutlineMask, "--outline-mask", "--outline-mask-dir",
            "A mask whose parts (and holes) are the rough outlines, e.g. a saved selection (non-zero = inside).", required: false);
        var defaults = new EdgeSnapOptions();
        var corridor = new Option<int>("--corridor") { Description = "How far (px) the snapped outline may move from the drawn one.", DefaultValueFactory = _ => defaults.Corridor };
        var spacing = new Option<int>("--spacing") { Description = "Largest distance (px) between anchors along the outline; the drawn vertices are anchors too.", DefaultValueFactory = _ => defaults.AnchorSpacing };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG, object opaque, background transparent." };
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the object mask (0 / 255)." };
        var matte = new Option<bool>("--matte") { Description = "Refine the edge: automatic trimap around the cut, closed-form matte, clean edge colours." };
        var border = new Option<bool>("--border-matting") { Description = "Soften the edge with GrabCut's border matting and clean edge colours." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the unknown band around the edge.", DefaultValueFactory = _ => 8 };
        var command = new Command("scissors", "Snap to Edges: pull a rough outline onto the object's edges (intelligent scissors in a corridor) and cut it out.")
        {
            polygon, corridor, spacing, output, maskOut, matte, border, band,
        };
        batch.AddTo(command, outlineMask);
        command.SetAction(parse =>
        {
            string[] vertices = parse.GetValue(polygon) ?? [];
            bool fromMask = parse.GetValue(outlineMask.File) is not null || parse.GetValue(outlineMask.Folder) is not null;
            if ((vertices.Length > 0) == fromMask)
                throw new UsageException("Give the rough outline: --polygon X1,Y1 X2,Y2 X3,Y3 ..., or --outline-mask FILE (its parts and holes are the outlines).");
            var settings = new Settings(vertices.Length > 0 ? ParsePolygon(vertices) : null,
                new EdgeSnapOptions { Corridor = parse.GetValue(corridor), AnchorSpacing = parse.GetValue(spacing) },
                parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(border));
            if (settings.MatteBand is not null && settings.BorderMatting) throw new UsageException("Choose one edge refinement: --matte or --border-matting.");
            if (settings.MatteBand is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {settings.MatteBand}).");
            settings.Options.Validate();
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), [outlineMask]);
            double bytesPerPixel = settings.MatteBand is null && !settings.BorderMatting ? 12 : 140;
            return BatchRunner.Run(context, plan, bytesPerPixel, (job, jobContext) => Snap(jobContext, settings, job));
        });
        return command;
    }

    private static void Snap(CommandContext context, Settings settings, ImageJob job)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        IReadOnlyList<Outline> outlines;
        if (settings.Polygon is { } polygon)
        {
            foreach (var (x, y) in polygon.Points)
                if (x < 0 || y < 0 || x > image.Width - 1 || y > image.Height - 1)
                    throw new SegmentationInputException(string.Create(CultureInfo.InvariantCulture,
                        $"The polygon vertex {x},{y} is outside the {image.Width}×{image.Height} image: give vertices from 0,0 to {image.Width - 1},{image.Height - 1}."));
            outlines = [polygon];
        }
        else
        {
            var mask = ImageFiles.ReadMask(job.Side(OutlineMask)!, OutlineMask, image.Width, image.Height, context.MaxPixels);
            outlines = Outline.FromMask(mask);
            if (outlines.Count == 0) throw new SegmentationInputException("The outline mask is empty: paint the rough area of the object white (non-zero) on black.");
        }

        EdgeSnapResult result;
        using (var progress = new ConsoleProgress(context.Error, "Snapping"))
            result = EdgeSnapping.Snap(image, outlines, settings.Options, progress, context.Cancellation);
        if (result.Foreground.IsEmpty) throw new SegmentationInputException("The snapped outline encloses nothing: draw the outline around the object.");
        if (CutCommand.WriteCut(context, image, result.Foreground, settings.MatteBand, settings.BorderMatting, job)) return;
        long count = result.Foreground.CountSet();
        int length = result.Outlines.Sum(o => o.Path.Count);
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {count} object pixels ({100.0 * count / image.PixelCount:F1} %), " +
                              $"{result.Outlines.Count} outline{(result.Outlines.Count == 1 ? "" : "s")} snapped ({length} px)");
    }

    /// <summary>Vertices "X,Y" (also "X,Y X,Y" in one argument, or separated by semicolons).</summary>
    internal static Outline ParsePolygon(IEnumerable<string> texts)
    {
        var points = new List<(double X, double Y)>();
        foreach (string token in texts.SelectMany(t => t.Split([' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string[] parts = token.Split(',');
            if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y) || !double.IsFinite(x) || !double.IsFinite(y))
                throw new UsageException($"--polygon: '{token}' is not a vertex; write each as X,Y (e.g. --polygon 10,10 200,15 190,180).");
            points.Add((x, y));
        }
        if (points.Distinct().Count() < 3) throw new UsageException($"--polygon needs at least three different vertices (got {points.Distinct().Count()}).");
        return new Outline(points);
    }
}
