using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg cut</c>: GrabCut from a rectangle (and optional hint masks) to a transparent cut-out.</summary>
public static class CutCommand
{
    private const string Foreground = "foreground mask", Background = "background mask";

    /// <summary>What every image of one command line is cut with.</summary>
    private sealed record Settings(PixelRect? Rect, int Iterations, double? MatteBand, bool BorderMatting, MaskCleanupOptions Cleanup);

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var rect = new Option<string?>("--rect") { Description = "Rectangle around the object: X,Y,W,H in pixels (with several images: the same for each; or --rects)." };
        var rects = new Option<string?>("--rects") { Description = "A CSV file of rectangles, one per image: name,x,y,w,h (the GrabCut database's boxes.csv format)." };
        var fg = new SideInput(Foreground, "--fg", "--fg-dir", "Mask of definite object pixels (non-zero = object).", required: false);
        var bg = new SideInput(Background, "--bg", "--bg-dir", "Mask of definite background pixels (non-zero = background).", required: false);
        var iterations = new Option<int>("--iterations") { Description = "Most GrabCut iterations (stops earlier once the energy settles).", DefaultValueFactory = _ => 5 };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG, object opaque, background transparent." };
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the object mask (0 / 255)." };
        var matte = new Option<bool>("--matte") { Description = "Refine the edge: automatic trimap around the cut, closed-form matte, clean edge colours." };
        var border = new Option<bool>("--border-matting") { Description = "Soften the edge with GrabCut's border matting (a fitted sigmoid profile along the contour) and clean edge colours." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the unknown band around the edge.", DefaultValueFactory = _ => 8 };
        // Off by default: on the GrabCut and Berkeley sets neither removing islands nor filling holes raised GrabCut's mean IoU.
        var cleanup = new CleanupArguments(mainObjectByDefault: false);

        var command = new Command("cut", "Cut an object out of a photo (or many) with GrabCut.") { rect, rects, iterations, output, maskOut, matte, border, band };
        batch.AddTo(command, fg, bg);
        foreach (var option in cleanup.Options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            string? rectText = parse.GetValue(rect), rectsFile = parse.GetValue(rects);
            if ((rectText is null) == (rectsFile is null)) throw new UsageException("Give the object's rectangle: --rect X,Y,W,H, or --rects FILE with one per image.");
            var settings = new Settings(rectText is null ? null : Arguments.ParseRectangle(rectText), parse.GetValue(iterations),
                parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(border), cleanup.Read(parse));
            if (settings.MatteBand is not null && settings.BorderMatting) throw new UsageException("Choose one edge refinement: --matte or --border-matting.");
            if (settings.Iterations < 1) throw new UsageException($"--iterations must be at least 1 (got {settings.Iterations}).");
            if (settings.MatteBand is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {settings.MatteBand}).");
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), [fg, bg], rectsFile is null ? null : RectangleList.Read(rectsFile));
            // Peak bytes per pixel of one image (pdnseg bench process / effect-memory): GrabCut ~55, with a matte ~130.
            double bytesPerPixel = settings.MatteBand is null && !settings.BorderMatting ? 60 : 140;
            return BatchRunner.Run(context, plan, bytesPerPixel, (job, jobContext) => Cut(jobContext, settings, job));
        });
        return command;
    }

    private static void Cut(CommandContext context, Settings settings, ImageJob job)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        var fg = job.Side(Foreground) is { } fgPath ? ImageFiles.ReadMask(fgPath, Foreground, image.Width, image.Height, context.MaxPixels) : null;
        var bg = job.Side(Background) is { } bgPath ? ImageFiles.ReadMask(bgPath, Background, image.Width, image.Height, context.MaxPixels) : null;
        var rect = job.Rectangle ?? settings.Rect!.Value;

        GrabCutResult result;
        using (var progress = new ConsoleProgress(context.Error, "GrabCut"))
        {
            result = GrabCut.Segment(image, GrabCutInput.FromRectangle(rect).WithHints(fg, bg),
                new GrabCutOptions { MaxIterations = settings.Iterations }, progress, context.Cancellation);
        }
        result = result with { Foreground = MaskCleanup.Apply(result.Foreground, settings.Cleanup, default, fg, bg) };

        if (WriteCut(context, image, result.Foreground, settings.MatteBand, settings.BorderMatting, job)) return;
        long objectPixels = result.Foreground.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {objectPixels} object pixels ({100.0 * objectPixels / image.PixelCount:F1} %), " +
                              $"{result.Iterations} iterations, energy {result.EnergyPerIteration[^1]:F0}");
    }

    /// <summary>
    /// Writes a hard cut's outputs: the mask as cut, and the cut-out with the asked edge — a closed-form matte in a band
    /// of <paramref name="matteBand"/> px, GrabCut's border matting, or none. True when a matte was written (its
    /// writer reports it); false for a hard cut, which the caller reports.
    /// </summary>
    internal static bool WriteCut(CommandContext context, ColorImage image, Mask cut, double? matteBand, bool borderMatting, ImageJob job)
    {
        // The mask is the hard cut either way: without a cut-out to write, the edge refinement is not needed.
        if ((matteBand is not null || borderMatting) && job.CutOutPath is not null)
        {
            MatteResult matte;
            if (matteBand is { } width)
            {
                using var progress = new ConsoleProgress(context.Error, "Matting");
                matte = RefineMatte.FromMask(image, cut, new TrimapBandOptions { BandWidth = width }, progress: progress, cancellationToken: context.Cancellation);
            }
            else
            {
                matte = RefineMatte.FromBorder(image, cut, cancellationToken: context.Cancellation);
            }
            (string, byte[])? maskFile = job.MaskPath is null ? null : (job.MaskPath, ImageFiles.EncodeGray(image.Width, image.Height, cut.ToBytes(), job.MaskPath));
            MatteCommand.WriteOutputs(context, image, matte, null, job.CutOutPath, maskFile);
            return true;
        }
        CutOutFiles.WriteHard(image, cut, job.CutOutPath, job.MaskPath, context.Cancellation);
        return false;
    }
}
