using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench sam --dataset DIR</c>: Segment Anything with an installed model on a segmentation set, two prompts
/// per image — the ground truth's bounding box, and one click at the object's interior point farthest from its edge —
/// giving IoU, the encoder's time (once per image) and, per prompt, the decoder's own run time and the runtime's
/// overhead around it (prompt mapping, upscaling, thresholding).
/// </summary>
public static class SamBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/, masks/ and boxes.csv.", Required = true };
        var model = new Option<string?>("--model") { Description = "Installed Segment Anything model (default: the first installed)." };
        var modelsDir = ModelsCommand.FolderOption();
        var limit = BenchCommand.LimitOption();
        var command = new Command("sam", "Segment Anything (installed model): IoU from box and one-click prompts, encoder and decoder times.")
        {
            dataset, model, modelsDir, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetValue(model), parse.GetValue(modelsDir), parse.GetValue(limit)));
        return command;
    }

    private static int Run(CommandContext context, string folder, string? modelName, string? modelsDir, int? limit)
    {
        var chosen = ModelsCommand.Store(modelsDir).SegmentAnything(modelName);
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        using var sam = SegmentAnything.Open(chosen, ExecutionDevice.Cpu);
        var output = context.Out;
        output.WriteLine($"Segment Anything '{chosen.Name}' on {Path.GetFullPath(folder)}: {samples.Count} images, CPU, {Environment.ProcessorCount} cores.");
        var boxIou = new List<double>();
        var clickIou = new List<double>();
        var encoder = new List<double>();
        var decoder = new List<double>();
        var overhead = new List<double>();
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
            var truthMask = new Mask(image.Width, image.Height);
            for (int i = 0; i < truth.Length; i++) truthMask.Bits[i] = truth[i] == 255 ? (byte)1 : (byte)0;
            if (truthMask.IsEmpty) continue;
            var watch = Stopwatch.StartNew();
            var box = sam.Segment(image, SamPrompt.FromBox(truthMask.Bounds()), context.Cancellation);
            double first = watch.Elapsed.TotalMilliseconds;
            encoder.Add(first - sam.LastDecoderRunTime.TotalMilliseconds);
            boxIou.Add(SegmentationScore.Compute(box.Mask, truth).IoU);
            var (cx, cy) = DeepestInteriorPoint(truthMask);
            watch.Restart();
            var click = sam.Segment(image, SamPrompt.FromPoints((cx, cy, true)), context.Cancellation);
            double total = watch.Elapsed.TotalMilliseconds;
            decoder.Add(sam.LastDecoderRunTime.TotalMilliseconds);
            overhead.Add(total - sam.LastDecoderRunTime.TotalMilliseconds);
            clickIou.Add(SegmentationScore.Compute(click.Mask, truth).IoU);
        }
        output.WriteLine();
        output.WriteLine("| prompt | images | mean IoU | median IoU |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ground-truth box | {boxIou.Count} | {boxIou.Average():F3} | {Stats.Median(boxIou):F3} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| one click (deepest interior point) | {clickIou.Count} | {clickIou.Average():F3} | {Stats.Median(clickIou):F3} |"));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Median ms: encoder + preprocessing {Stats.Median(encoder):F0} (once per image); decoder run {Stats.Median(decoder):F1}; " +
            $"runtime overhead per prompt (mapping, upscaling, threshold) {Stats.Median(overhead):F1} (p95 {Stats.Percentile(overhead, 0.95):F1})."));
        return ExitCodes.Success;
    }

    /// <summary>The object pixel farthest from the object's edge: where a user would click.</summary>
    private static (double X, double Y) DeepestInteriorPoint(Mask mask)
    {
        var outside = new byte[mask.Bits.Length];
        for (int i = 0; i < outside.Length; i++) outside[i] = mask.Bits[i] == 0 ? (byte)1 : (byte)0;
        var distance = PixelMaps.DistanceToTargets(outside, mask.Width, mask.Height);
        int best = 0;
        for (int i = 1; i < distance.Length; i++) if (distance[i] > distance[best] && !float.IsInfinity(distance[i])) best = i;
        return (best % mask.Width, best / mask.Width);
    }
}
