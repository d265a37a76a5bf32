using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Commands;

/// <summary>
/// <c>pdnseg cut</c>: Smart Cut from a rectangle or a free-form selection (and optional hint masks) to a transparent
/// cut-out — GrabCut with what the object model knows about the selection (<see cref="ModelGuidedCut"/>), or GrabCut
/// alone with <c>--model none</c>.
/// </summary>
public static class CutCommand
{
    private const string Foreground = "foreground mask", Background = "background mask", Selection = "selection";

    /// <summary>What every image of one command line is cut with.</summary>
    private sealed record Settings(PixelRect? Rect, bool FreeForm, int Iterations, double? MatteBand, bool BorderMatting, MaskCleanupOptions Cleanup);

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var rect = new Option<string?>("--rect") { Description = "Rectangle around the object: X,Y,W,H in pixels (with several images: the same for each; or --rects)." };
        var rects = new Option<string?>("--rects") { Description = "A CSV file of rectangles, one per image: name,x,y,w,h (the GrabCut database's boxes.csv format)." };
        var selection = new SideInput(Selection, "--selection", "--selection-dir",
            "A free-form selection instead of a rectangle: a grey mask as Paint.NET's selection (at least half white = inside; outside is background).", required: false);
        var fg = new SideInput(Foreground, "--fg", "--fg-dir", "Mask of definite object pixels (non-zero = object).", required: false);
        var bg = new SideInput(Background, "--bg", "--bg-dir", "Mask of definite background pixels (non-zero = background).", required: false);
        var model = new Option<string>("--model")
        {
            Description = "The object model that guides the cut: u2netp (bundled, the default), another installed subject model ('pdnseg models list'), " +
                          "or none (GrabCut's colour models alone).",
            DefaultValueFactory = _ => "u2netp",
        };
        var device = new Option<string>("--device") { Description = "auto, cpu or directml (for the model).", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "directml");
        var modelsDir = ModelsCommand.FolderOption();
        var iterations = new Option<int>("--iterations") { Description = "Most GrabCut iterations (stops earlier once the energy settles).", DefaultValueFactory = _ => 5 };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG, object opaque, background transparent." };
        var maskOut = new Option<string?>("--mask-out") { Description = "Write the object mask (0 / 255)." };
        var matte = new Option<bool>("--matte") { Description = "Refine the edge: automatic trimap around the cut, closed-form matte, clean edge colours." };
        var border = new Option<bool>("--border-matting") { Description = "Soften the edge with GrabCut's border matting (a fitted sigmoid profile along the contour) and clean edge colours." };
        var band = new Option<double>("--band") { Description = "With --matte: half-width in pixels of the unknown band around the edge.", DefaultValueFactory = _ => 8 };
        // Off by default: on the GrabCut and Berkeley sets neither removing islands nor filling holes raised the mean IoU,
        // with or without the model (docs/benchmarks.md).
        var cleanup = new CleanupArguments(mainObjectByDefault: false);

        var command = new Command("cut", "Cut an object out of a photo (or many): GrabCut on a rectangle or selection, guided by an object model.")
        {
            rect, rects, model, device, modelsDir, iterations, output, maskOut, matte, border, band,
        };
        batch.AddTo(command, selection, fg, bg);
        foreach (var option in cleanup.Options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            string? rectText = parse.GetValue(rect), rectsFile = parse.GetValue(rects);
            bool freeForm = parse.GetValue(selection.File) is not null || parse.GetValue(selection.Folder) is not null;
            if ((rectText is not null ? 1 : 0) + (rectsFile is not null ? 1 : 0) + (freeForm ? 1 : 0) != 1)
                throw new UsageException("Give the object's selection, one of: --rect X,Y,W,H; --rects FILE with one per image; --selection MASK (or --selection-dir DIR).");
            var settings = new Settings(rectText is null ? null : Arguments.ParseRectangle(rectText), freeForm, parse.GetValue(iterations),
                parse.GetValue(matte) ? parse.GetValue(band) : null, parse.GetValue(border), cleanup.Read(parse));
            if (settings.MatteBand is not null && settings.BorderMatting) throw new UsageException("Choose one edge refinement: --matte or --border-matting.");
            if (settings.Iterations < 1) throw new UsageException($"--iterations must be at least 1 (got {settings.Iterations}).");
            if (settings.MatteBand is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {settings.MatteBand}).");
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), [selection, fg, bg], rectsFile is null ? null : RectangleList.Read(rectsFile));
            using var objectModel = OpenObjectModel(context, parse.GetRequiredValue(model), parse.GetValue(modelsDir),
                SubjectCommand.ParseDevice(parse.GetRequiredValue(device)), BatchRunner.ModelThreads(plan));
            // Peak bytes per pixel of one image (pdnseg bench process / effect-memory): GrabCut ~55, with the model's prior
            // ~70, with a matte ~140.
            double bytesPerPixel = settings.MatteBand is null && !settings.BorderMatting ? (objectModel is null ? 60 : 75) : 140;
            return BatchRunner.Run(context, plan, bytesPerPixel, (job, jobContext) => Cut(jobContext, settings, objectModel, job));
        });
        return command;
    }

    /// <summary>The subject model that guides the cut, opened once for every image; null for 'none'.</summary>
    private static SubjectSelector? OpenObjectModel(CommandContext context, string name, string? modelsFolder, ExecutionDevice device, int cpuThreads)
    {
        if (name == "none") return null;
        var installed = ModelsCommand.Store(modelsFolder).Subject(name);
        var selector = SubjectSelector.Open(installed, new SelectSubjectOptions { Device = device, Refinement = null, CpuThreads = cpuThreads });
        SubjectCommand.Prepare(context, selector, installed.Name);
        return selector;
    }

    private static void Cut(CommandContext context, Settings settings, SubjectSelector? objectModel, ImageJob job)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        var fg = job.Side(Foreground) is { } fgPath ? ImageFiles.ReadMask(fgPath, Foreground, image.Width, image.Height, context.MaxPixels) : null;
        var bg = job.Side(Background) is { } bgPath ? ImageFiles.ReadMask(bgPath, Background, image.Width, image.Height, context.MaxPixels) : null;
        GrabCutInput input;
        if (settings.FreeForm)
        {
            string path = job.Side(Selection) ?? throw new InputFileException($"No selection named '{job.Stem}' (any image extension) in --selection-dir.");
            input = GrabCutInput.FromRegion(ImageFiles.ReadSelection(path, Selection, image.Width, image.Height, context.MaxPixels));
        }
        else input = GrabCutInput.FromRectangle(job.Rectangle ?? settings.Rect!.Value);

        ModelGuidedCutResult result;
        using (var progress = new ConsoleProgress(context.Error, objectModel is null ? "GrabCut" : $"Smart Cut with {objectModel.Name}"))
        {
            result = ModelGuidedCut.Segment(image, input.WithHints(fg, bg), objectModel,
                new ModelGuidedCutOptions { GrabCut = new GrabCutOptions { MaxIterations = settings.Iterations } }, progress, context.Cancellation);
        }
        var cut = MaskCleanup.Apply(result.Foreground, settings.Cleanup, default, fg, bg);

        string model = result.Trust is { } trust ? $", model {objectModel!.Name} {trust.Describe()}" : "";
        if (WriteCut(context, image, cut, settings.MatteBand, settings.BorderMatting, job))
        {
            if (model.Length > 0) context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {model[2..]}");
            return;
        }
        long objectPixels = cut.CountSet();
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {objectPixels} object pixels ({100.0 * objectPixels / image.PixelCount:F1} %), " +
                              $"{result.Cut.Iterations} iterations, energy {result.Cut.EnergyPerIteration[^1]:F0}{model}");
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
