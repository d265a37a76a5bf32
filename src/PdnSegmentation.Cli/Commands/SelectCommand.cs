using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Commands;

/// <summary>
/// <c>pdnseg select</c>: click to select. The click engine (graph cut with the clicks as hard constraints and a
/// geodesic prior) with an installed Segment Anything model's prior, else the bundled u2netp's, or none (classic).
/// </summary>
public static class SelectCommand
{
    private sealed record Settings(IReadOnlyList<Click> Clicks, PixelRect? Box, double? Band);

    public static Command Create(CommandContext context)
    {
        var batch = new BatchArguments();
        var points = new Option<string[]>("--point") { Description = "A click: X,Y (on the object) or X,Y:bg (on the background); repeat for more, in the order clicked (with several images: the same for each).", DefaultValueFactory = _ => [] };
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
            points, box, model, device, matte, band, mattingModel, modelsDir, maskOut, output,
        };
        batch.AddTo(command);
        command.SetAction(parse =>
        {
            string[] pointTexts = parse.GetValue(points) ?? [];
            string? boxText = parse.GetValue(box);
            double? bandWidth = parse.GetValue(matte) ? parse.GetValue(band) : null;
            if (boxText is null && pointTexts.Length == 0) throw new UsageException("Give at least one click (--point X,Y on the object) or a --box X,Y,W,H around it.");
            if (bandWidth is < 1 or > 500) throw new UsageException($"--band must be between 1 and 500 pixels (got {bandWidth}).");
            var clicks = pointTexts.Select(SamCommand.ParsePoint).Select(p => new Click((int)Math.Round(p.X), (int)Math.Round(p.Y), p.Foreground)).ToList();
            var settings = new Settings(clicks, boxText is null ? null : Arguments.ParseRectangle(boxText, "--box"), bandWidth);
            var plan = batch.Plan(parse, parse.GetValue(output), parse.GetValue(maskOut), []);
            var deviceChoice = SubjectCommand.ParseDevice(parse.GetRequiredValue(device));
            string? modelsFolder = parse.GetValue(modelsDir);
            int modelThreads = BatchRunner.ModelThreads(plan);
            using var engine = ClickModel.Open(ModelsCommand.Store(modelsFolder), parse.GetValue(model), deviceChoice, modelThreads);
            if (engine.DeviceModel is { } deep) SubjectCommand.Prepare(context, deep, engine.Name);
            using var deepMatting = bandWidth is null ? null : ModelsCommand.OpenMatting(context, parse.GetValue(mattingModel), modelsFolder, deviceChoice,
                engine.SupportsConcurrentImages ? modelThreads : 0);
            var gate = new object();
            return BatchRunner.Run(context, plan, 120, (job, jobContext) =>
            {
                if (engine.SupportsConcurrentImages) Select(jobContext, settings, engine, deepMatting, job);
                else lock (gate) Select(jobContext, settings, engine, deepMatting, job);
            });
        });
        return command;
    }

    private static void Select(CommandContext context, Settings settings, ClickModel engine, DeepMatting? deepMatting, ImageJob job)
    {
        var image = ImageFiles.ReadColor(job.ImagePath, "image", context.MaxPixels);
        // The session checks every click (inside the image, object clicks inside the box) before any work.
        var session = new ClickSession(image, null, settings.Box, engine.PriorFor(image));
        Mask mask;
        using (var progress = new ConsoleProgress(context.Error, "Selecting"))
            mask = session.AddRange(settings.Clicks, progress, context.Cancellation);
        if (mask.IsEmpty) throw new SegmentationInputException("Nothing was selected: click on the object itself.");

        SamCommand.WriteCut(context, image, mask, settings.Band, deepMatting, job.CutOutPath, job.MaskPath);
        long count = mask.CountSet();
        int clicks = settings.Clicks.Count;
        context.Out.WriteLine($"{Path.GetFileName(job.CutOutPath ?? job.MaskPath)}: {count} object pixels ({100.0 * count / image.PixelCount:F1} %), " +
                              $"{clicks} click{(clicks == 1 ? "" : "s")}{(settings.Box is null ? "" : " and a box")}, {engine.Description}");
    }
}
