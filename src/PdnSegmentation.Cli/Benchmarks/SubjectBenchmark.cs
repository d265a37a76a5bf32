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
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench subject --dataset DIR</c>: Select Subject without any prompt, per image and as means: the model
/// alone (one run, and mirror-averaged; the model's contract says which is its default), the graph-cut refinement of each
/// (the default result), the refinement keeping every object instead of the main one, and the
/// Matting Anything chain, beside the background remover's recorded scores (<c>peer-imgly-isnet/scores.csv</c>) when
/// the folder has them. On a segmentation set (boxes.csv, masks/) IoU against the ground truth (boundary band
/// excluded); on the alphamatting layout (images/, alpha/, trimap1/) SAD over all pixels and over trimap1's unknown
/// region. Latency of the model and of the refinement; then the refinement's time and peak memory on the first image
/// enlarged to each of <c>--megapixels</c>.
/// </summary>
public static class SubjectBenchmark
{
    private const string PeerFolder = "peer-imgly-isnet";

    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "A segmentation set (boxes.csv, images/, masks/) or the alphamatting layout (images/, alpha/, trimap1/).", Required = true };
        var models = new Option<string>("--models") { Description = "Installed subject models, comma-separated (e.g. u2netp,selfie,isnet-general-use).", DefaultValueFactory = _ => "u2netp" };
        var megapixels = new Option<string>("--megapixels") { Description = "Sizes (comma-separated) at which to time the refinement and measure peak memory on the first image.", DefaultValueFactory = _ => "1" };
        var modelsDir = ModelsCommand.FolderOption();
        var limit = BenchCommand.LimitOption();
        var command = new Command("subject", "Select Subject (no prompt): model alone, graph-cut refinement and Matting Anything against ground truth and the background remover's scores; latency and memory.")
        {
            dataset, models, megapixels, modelsDir, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetRequiredValue(models), parse.GetRequiredValue(megapixels),
            parse.GetValue(modelsDir), parse.GetValue(limit)));
        return command;
    }

    private static int Run(CommandContext context, string folder, string modelNames, string megapixelList, string? modelsDir, int? limit)
    {
        var store = ModelsCommand.Store(modelsDir);
        var models = modelNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(store.Subject).ToList();
        var megapixels = megapixelList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new UsageException($"--megapixels '{megapixelList}': expected positive numbers separated by commas.")).ToArray();
        bool matting = Directory.Exists(Path.Combine(folder, "alpha")) && Directory.Exists(Path.Combine(folder, "trimap1"));
        var peer = ReadPeerScores(folder);
        context.Out.WriteLine($"Select Subject on {Path.GetFullPath(folder)}, no prompt, ONNX Runtime CPU, {Environment.ProcessorCount} cores. " +
                              "model = the model's mask (p ≥ ½) after guided-filter upsampling, one run or mirror-averaged (as the model's contract says by default); refined = the default result " +
                              "(graph cut with the model's probability as prior, main object kept); Matting Anything = refined mask → automatic trimap → closed-form matte. " +
                              $"Peer = {(peer is null ? "none recorded here" : "IMG.LY background removal, ISNet fp16, recorded (" + PeerFolder + "/scores.csv)")}.");
        foreach (var model in models)
        {
            context.Out.WriteLine();
            context.Out.WriteLine($"## {model.Name}");
            if (matting) Matting(context, folder, model, peer, limit);
            else Segmentation(context, folder, model, peer, limit);
            Scale(context, folder, model, megapixels);
        }
        return ExitCodes.Success;
    }

    private static Dictionary<string, double>? ReadPeerScores(string folder)
    {
        string path = Path.Combine(folder, PeerFolder, "scores.csv");
        if (!File.Exists(path)) return null;
        return File.ReadLines(path).Skip(1).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Whether the model runs mirror-averaged when nothing overrides its contract.</summary>
    private static bool MirrorsByDefault(InstalledModel model) => model.Subject?.Mirror ?? false;

    private static SubjectSelector Open(InstalledModel model, bool mirror) =>
        SubjectSelector.Open(model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, MirrorAveraging = mirror, Refinement = null });

    /// <summary>
    /// One image through every stage, with the stages' times: the model's mask with one run and mirror-averaged, the
    /// refinement of each, the refinement keeping every object (not only the main one) and the Matting Anything chain,
    /// the last two from the model's default (its contract's mirroring).
    /// </summary>
    private sealed record Stages(Mask SingleRun, Mask MirroredRun, Mask RefinedSingle, Mask RefinedMirrored, Mask RefinedAllObjects, SubjectResult Subject, MatteResult Chain,
        double ModelMs, double RefineMs, double ChainMs);

    private static readonly SoftMaskRefinementOptions AllObjects = new() { Cleanup = new SoftMaskRefinementOptions().Cleanup with { MainObjectOnly = false } };

    private static Stages Evaluate(ColorImage image, SubjectSelector single, SubjectSelector mirrored, bool mirrorByDefault, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        var (oneRun, pixelSize) = single.Probability(image, cancellation);
        double singleMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var (averaged, _) = mirrored.Probability(image, cancellation);
        double mirroredMs = watch.Elapsed.TotalMilliseconds;
        var refinedSingle = SoftMaskRefinement.Refine(image, oneRun.Values, pixelSize, null, null, null, null, cancellation);
        watch.Restart();
        var refinedMirrored = SoftMaskRefinement.Refine(image, averaged.Values, pixelSize, null, null, null, null, cancellation);
        double refineMs = watch.Elapsed.TotalMilliseconds;
        var probability = mirrorByDefault ? averaged : oneRun;
        var refined = mirrorByDefault ? refinedMirrored : refinedSingle;
        var allObjects = SoftMaskRefinement.Refine(image, probability.Values, pixelSize, AllObjects, null, null, null, cancellation);
        var subject = new SubjectResult(probability, refined, mirrored.Device) { ModelMask = Threshold(probability), ModelPixelSize = pixelSize };
        watch.Restart();
        var chain = refined.IsEmpty ? new MatteResult(new AlphaMatte(image.Width, image.Height), image, new Trimap(image.Width, image.Height)) : MattingAnything.FromSubject(image, subject, null, null, null, cancellation);
        return new Stages(Threshold(oneRun), Threshold(averaged), refinedSingle, refinedMirrored, allObjects, subject, chain,
            mirrorByDefault ? mirroredMs : singleMs, refineMs, watch.Elapsed.TotalMilliseconds);
    }

    private static Mask Threshold(AlphaMatte probability) => Mask.FromProbability(probability.Width, probability.Height, probability.Values);

    private static void Segmentation(CommandContext context, string folder, InstalledModel model, Dictionary<string, double>? peer, int? limit)
    {
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        bool mirrorByDefault = MirrorsByDefault(model);
        int alone = mirrorByDefault ? 1 : 0, refined = mirrorByDefault ? 3 : 2; // the default's columns in a row
        output.WriteLine($"IoU with the ground truth (boundary band excluded); Matting Anything's alpha ≥ ½ as its mask. The model's contract: " +
                         $"{(mirrorByDefault ? "mirror-averaged" : "one run")} (refined all objects, Matting Anything and ms model use it).");
        output.WriteLine();
        output.WriteLine("| image | model, one run | model, mirror-averaged | refined, one run | refined, mirror-averaged | refined, all objects | Matting Anything | peer | ms model | ms refine | ms chain |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        using var single = Open(model, mirror: false);
        using var mirrored = Open(model, mirror: true);
        var rows = new List<double[]>();
        var times = new List<double[]>();
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
            var stages = Evaluate(image, single, mirrored, mirrorByDefault, context.Cancellation);
            double Iou(Mask m) => SegmentationScore.Compute(m, truth).IoU;
            double[] row = [Iou(stages.SingleRun), Iou(stages.MirroredRun), Iou(stages.RefinedSingle), Iou(stages.RefinedMirrored), Iou(stages.RefinedAllObjects),
                Iou(Threshold(stages.Chain.Alpha)), PeerScore(peer, sample.Name)];
            rows.Add(row);
            times.Add([stages.ModelMs, stages.RefineMs, stages.ChainMs]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {sample.Name} | {Cells(row, "F3")} | {stages.ModelMs:F0} | {stages.RefineMs:F0} | {stages.ChainMs:F0} |"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| **mean of {rows.Count}** | {Cells(Means(rows), "F4")} | {Stats.Median(times.Select(t => t[0])):F0} | {Stats.Median(times.Select(t => t[1])):F0} | {Stats.Median(times.Select(t => t[2])):F0} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| p95 ms | | | | | | {Stats.Percentile(times.Select(t => t[0]), 0.95):F0} | {Stats.Percentile(times.Select(t => t[1]), 0.95):F0} | {Stats.Percentile(times.Select(t => t[2]), 0.95):F0} |"));
        output.WriteLine();
        var sampleNames = samples.Select(s => s.Name).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"The model's default (refined, {(mirrorByDefault ? "mirror-averaged" : "one run")}) vs the model alone: better on {rows.Count(r => r[refined] > r[alone] + 1e-9)}, " +
            $"worse on {rows.Count(r => r[refined] < r[alone] - 1e-9)} of {rows.Count} images; vs the peer: ahead on {rows.Count(r => r[refined] > r[6])}, " +
            $"behind on {rows.Count(r => r[refined] < r[6])}, more than 0.05 behind on {rows.Count(r => r[refined] < r[6] - 0.05)}" +
            $"{Names(rows, sampleNames, r => r[refined] < r[6] - 0.05)}; one run more than 0.05 behind the peer on " +
            $"{rows.Count(r => r[0] < r[6] - 0.05)}{Names(rows, sampleNames, r => r[0] < r[6] - 0.05)}."));
    }

    private static void Matting(CommandContext context, string folder, InstalledModel model, Dictionary<string, double>? peer, int? limit)
    {
        var names = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Select(p => Path.GetFileNameWithoutExtension(p)!)
            .OrderBy(n => n, StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine("SAD /1000 against the ground-truth alpha over all pixels (the peer's recorded measure), and over trimap1's unknown region. " +
                         "'mask' = the refined mask as a hard 0/1 alpha (Select Subject's default result); 'soft' = the model's mirror-averaged probability; " +
                         "closed-form with trimap1 = the benchmark's own trimap (a reference no prompt-free method has).");
        output.WriteLine();
        output.WriteLine("| image | all: model mask | all: model soft | all: mask | all: Matting Anything | all: peer | all: closed-form, trimap1 | " +
                         "unknown: mask | unknown: Matting Anything | Matting Anything / mask | ms model | ms refine | ms chain |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        using var single = Open(model, mirror: false);
        using var mirrored = Open(model, mirror: true);
        var rows = new List<double[]>();
        var times = new List<double[]>();
        foreach (var name in names)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(Path.Combine(folder, "images", name + ".png"));
            var truth = MatteBenchmark.ReadAlpha(Path.Combine(folder, "alpha", name + ".png"), image);
            var trimap = MatteBenchmark.ReadTrimap(Path.Combine(folder, "trimap1", name + ".png"), image);
            var stages = Evaluate(image, single, mirrored, MirrorsByDefault(model), context.Cancellation);
            var reference = RefineMatte.EstimateAlpha(image, trimap, null, null, context.Cancellation).Values.ToArray();
            var mask = AlphaMatte.FromMask(stages.Subject.Mask).Values.ToArray();
            var chain = stages.Chain.Alpha.Values.ToArray();
            double[] row =
            [
                SadAll(AlphaMatte.FromMask(stages.Subject.ModelMask).Values.ToArray(), truth), SadAll(stages.Subject.Probability.Values.ToArray(), truth),
                SadAll(mask, truth), SadAll(chain, truth), PeerScore(peer, name), SadAll(reference, truth),
                MattingScore.Compute(mask, truth, trimap).Sad, MattingScore.Compute(chain, truth, trimap).Sad,
            ];
            rows.Add([.. row, row[3] / Math.Max(row[2], 1e-9)]);
            times.Add([stages.ModelMs, stages.RefineMs, stages.ChainMs]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Cells(rows[^1], "F2")} | {stages.ModelMs:F0} | {stages.RefineMs:F0} | {stages.ChainMs:F0} |"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| **mean of {rows.Count}** | {Cells(Means(rows), "F2")} | {Stats.Median(times.Select(t => t[0])):F0} | {Stats.Median(times.Select(t => t[1])):F0} | {Stats.Median(times.Select(t => t[2])):F0} |"));
        output.WriteLine();
        var ratios = rows.Select(r => r[^1]).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Matting Anything against the mask, per image: better on {ratios.Count(r => r < 1)}, worse on {ratios.Count(r => r > 1)}, " +
            $"more than 10 % worse on {ratios.Count(r => r > 1.1)}; largest ratio {ratios.Max():F3} ({names[ratios.IndexOf(ratios.Max())]})."));
    }

    /// <summary>The refinement alone on the first image enlarged to each size: time and this process's peak memory while it runs.</summary>
    private static void Scale(CommandContext context, string folder, InstalledModel model, double[] megapixels)
    {
        string? first = Directory.GetFiles(Path.Combine(folder, "images")).OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
        if (first is null) return;
        var source = ImageFiles.ReadColor(first);
        using var selector = SubjectSelector.Open(model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        context.Out.WriteLine();
        context.Out.WriteLine($"Refinement at scale on {Path.GetFileName(first)} enlarged (the model runs first, untimed; peak = this process's resident memory " +
                              "during the refinement, the photo and the model's full-resolution probability included):");
        context.Out.WriteLine();
        context.Out.WriteLine("| MP | size | ms model (incl. guided upsampling) | ms refine | peak MB |");
        context.Out.WriteLine("|---:|---|---:|---:|---:|");
        foreach (double mp in megapixels)
        {
            double factor = Math.Sqrt(mp * 1e6 / source.PixelCount);
            var image = PixelMaps.Resize(source, (int)Math.Round(source.Width * factor), (int)Math.Round(source.Height * factor));
            var watch = Stopwatch.StartNew();
            var (probability, pixelSize) = selector.Probability(image, context.Cancellation);
            double modelMs = watch.Elapsed.TotalMilliseconds;
            var times = new List<double>();
            long peak = 0;
            for (int run = 0; run < (mp <= 2 ? 5 : 1); run++)
            {
                PeakMemory.Reset();
                watch.Restart();
                SoftMaskRefinement.Refine(image, probability.Values, pixelSize, null, null, null, null, context.Cancellation);
                times.Add(watch.Elapsed.TotalMilliseconds);
                peak = Math.Max(peak, PeakMemory.Peak());
            }
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mp:G} | {image.Width}×{image.Height} | {modelMs:F0} | {Stats.Median(times):F0}{(times.Count > 1 ? $" (median of {times.Count})" : "")} | {Stats.Mb(peak)} |"));
        }
    }

    private static string Names(List<double[]> rows, List<string> names, Func<double[], bool> which)
    {
        var picked = rows.Select((r, i) => (r, i)).Where(p => which(p.r)).Select(p => names[p.i]).ToList();
        return picked.Count == 0 ? "" : " (" + string.Join(", ", picked) + ")";
    }

    private static double PeerScore(Dictionary<string, double>? peer, string name) => peer is not null && peer.TryGetValue(name, out var v) ? v : double.NaN;

    private static double[] Means(List<double[]> rows) =>
        Enumerable.Range(0, rows[0].Length).Select(c => rows.Select(r => r[c]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()).ToArray();

    private static string Cells(IEnumerable<double> values, string format) =>
        string.Join(" | ", values.Select(v => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–"));

    private static double SadAll(float[] alpha, float[] truth)
    {
        double sum = 0;
        for (int i = 0; i < alpha.Length; i++) sum += Math.Abs(alpha[i] - truth[i]);
        return sum / 1000;
    }
}
