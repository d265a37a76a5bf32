using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench subject --dataset DIR</c>: Select Subject without any prompt. On a segmentation set (boxes.csv,
/// masks/) the mean IoU against ground truth per model; on the alphamatting layout (images/, alpha/, trimap1/) the SAD
/// of u2netp's hard mask and soft probability alone, of the Matting Anything chain (no trimap given) and, for reference, of closed-form
/// matting with the benchmark's own trimap1 — all in one run. Latency (median, p95) and peak memory per model.
/// </summary>
public static class SubjectBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "A segmentation set (boxes.csv, images/, masks/) or the alphamatting layout (images/, alpha/, trimap1/).", Required = true };
        var models = new Option<string>("--models") { Description = "Models, comma-separated: u2netp, selfie.", DefaultValueFactory = _ => "u2netp,selfie" };
        var limit = BenchCommand.LimitOption();
        var command = new Command("subject", "Select Subject (bundled deep models, no prompt): IoU or SAD against ground truth, latency and memory.")
        {
            dataset, models, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetRequiredValue(models), parse.GetValue(limit)));
        return command;
    }

    private static int Run(CommandContext context, string folder, string modelNames, int? limit)
    {
        var kinds = modelNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n switch { "u2netp" => SubjectModelKind.U2Netp, "selfie" => SubjectModelKind.Selfie, _ => throw new UsageException($"Unknown model '{n}': use u2netp or selfie.") })
            .ToList();
        bool matting = Directory.Exists(Path.Combine(folder, "alpha")) && Directory.Exists(Path.Combine(folder, "trimap1"));
        context.Out.WriteLine($"Select Subject on {Path.GetFullPath(folder)}, no prompt, ONNX Runtime CPU, {Environment.ProcessorCount} cores; " +
                              "latency = one Select call including pre- and post-processing (guided-filter upsampling), session created once per model.");
        if (matting) Matting(context, folder, limit);
        else Segmentation(context, folder, kinds, limit);
        OneMegapixel(context, folder, kinds);
        return ExitCodes.Success;
    }

    /// <summary>The first image of the set enlarged to about 1 megapixel: Select latency (median of 5) per model.</summary>
    private static void OneMegapixel(CommandContext context, string folder, List<SubjectModelKind> kinds)
    {
        string? first = Directory.GetFiles(Path.Combine(folder, "images")).OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
        if (first is null) return;
        var source = ImageFiles.ReadColor(first);
        double scale = Math.Sqrt(1_000_000.0 / source.PixelCount);
        var image = PixelMaps.Resize(source, (int)Math.Round(source.Width * scale), (int)Math.Round(source.Height * scale));
        context.Out.WriteLine();
        foreach (var kind in kinds)
        {
            using var selector = SubjectSelector.Open(ModelsCommand.Store().BundledFolder, kind, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
            selector.Select(image);
            var times = new List<double>();
            for (int run = 0; run < 5; run++)
            {
                var watch = Stopwatch.StartNew();
                selector.Select(image, context.Cancellation);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind} on {Path.GetFileName(first)} enlarged to {image.Width}×{image.Height} ({image.PixelCount / 1e6:F2} MP): {Stats.Median(times):F0} ms median of 5, including pre- and post-processing."));
        }
    }

    private static void Segmentation(CommandContext context, string folder, List<SubjectModelKind> kinds, int? limit)
    {
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine("IoU of the subject mask (probability ≥ ½) with the ground truth, boundary band excluded.");
        output.WriteLine();
        output.WriteLine("| model | images | mean IoU | median IoU | median ms | p95 ms | median peak RSS MB |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in kinds)
        {
            using var selector = SubjectSelector.Open(ModelsCommand.Store().BundledFolder, kind, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
            var ious = new List<double>();
            var times = new List<double>();
            var peaks = new List<double>();
            bool warmed = false;
            foreach (var sample in samples)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var image = ImageFiles.ReadColor(sample.ImagePath);
                var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
                if (!warmed) { selector.Select(image); warmed = true; }
                PeakMemory.Reset();
                var watch = Stopwatch.StartNew();
                var subject = selector.Select(image, context.Cancellation);
                times.Add(watch.Elapsed.TotalMilliseconds);
                peaks.Add(PeakMemory.Peak() / 1048576.0);
                ious.Add(SegmentationScore.Compute(subject.Mask, truth).IoU);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {ious.Count} | {ious.Average():F3} | {Stats.Median(ious):F3} | {Stats.Median(times):F0} | {Stats.Percentile(times, 0.95):F0} | {Stats.Median(peaks):F0} |"));
        }
    }

    private static void Matting(CommandContext context, string folder, int? limit)
    {
        var names = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Select(p => Path.GetFileNameWithoutExtension(p)!)
            .OrderBy(n => n, StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine("SAD /1000 against the ground-truth alpha, over all pixels and over trimap1's unknown region. u2netp mask = its hard mask (p ≥ ½); " +
                         "u2netp soft = its probability; Matting Anything = u2netp mask → automatic trimap (band 8 px, wider where unsure) → closed-form, " +
                         "the model's confidence kept away from the edge — no trimap given; " +
                         "closed-form with trimap1 = the benchmark's own trimap (reference).");
        output.WriteLine();
        output.WriteLine("| image | SAD all: u2netp mask | SAD all: u2netp soft | SAD all: Matting Anything | SAD all: closed-form, trimap1 | " +
                         "SAD unknown: u2netp mask | SAD unknown: u2netp soft | SAD unknown: Matting Anything | SAD unknown: closed-form, trimap1 | ms u2netp | ms chain |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        using var selector = SubjectSelector.Open(ModelsCommand.Store().BundledFolder, SubjectModelKind.U2Netp, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var rows = new List<double[]>();
        var subjectTimes = new List<double>();
        var chainTimes = new List<double>();
        foreach (var name in names)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(Path.Combine(folder, "images", name + ".png"));
            var truth = MatteBenchmark.ReadAlpha(Path.Combine(folder, "alpha", name + ".png"), image);
            var trimap = MatteBenchmark.ReadTrimap(Path.Combine(folder, "trimap1", name + ".png"), image);
            var watch = Stopwatch.StartNew();
            var subject = selector.Select(image, context.Cancellation);
            subjectTimes.Add(watch.Elapsed.TotalMilliseconds);
            var chain = MattingAnything.FromSubject(image, subject, null, null, null, context.Cancellation);
            chainTimes.Add(watch.Elapsed.TotalMilliseconds);
            var reference = RefineMatte.EstimateAlpha(image, trimap, null, null, context.Cancellation);
            var alone = subject.Probability.Values.ToArray();
            var hard = AlphaMatte.FromMask(subject.Mask).Values.ToArray();
            var matted = chain.Alpha.Values.ToArray();
            var withTrimap = reference.Values.ToArray();
            float[][] alphas = [hard, alone, matted, withTrimap];
            double[] row = [.. alphas.Select(a => SadAll(a, truth)), .. alphas.Select(a => MattingScore.Compute(a, truth, trimap).Sad)];
            rows.Add(row);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" | ", row.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} | {subjectTimes[^1]:F0} | {chainTimes[^1]:F0} |"));
        }
        output.WriteLine();
        output.WriteLine("| mean over images | u2netp mask | u2netp soft | Matting Anything | closed-form with trimap1 |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        string Means(int first) => string.Join(" | ", Enumerable.Range(first, 4).Select(c => rows.Average(r => r[c]).ToString("F2", CultureInfo.InvariantCulture)));
        output.WriteLine($"| SAD, all pixels | {Means(0)} |");
        output.WriteLine($"| SAD, trimap1's unknown region | {Means(4)} |");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median ms (p95) | {Stats.Median(subjectTimes):F0} ({Stats.Percentile(subjectTimes, 0.95):F0}) | | {Stats.Median(chainTimes):F0} ({Stats.Percentile(chainTimes, 0.95):F0}) | |"));
    }

    private static double SadAll(float[] alpha, float[] truth)
    {
        double sum = 0;
        for (int i = 0; i < alpha.Length; i++) sum += Math.Abs(alpha[i] - truth[i]);
        return sum / 1000;
    }
}
