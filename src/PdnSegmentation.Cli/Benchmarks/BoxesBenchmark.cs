using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench boxes --dataset DIR</c>: Smart Cut as <c>pdnseg cut</c> runs it, per image and as means — GrabCut alone
/// (<c>--model none</c>), the object model alone on the selection's crops, and the fused cut (the default) — with OpenCV's
/// grabCut from the same selection in the same run. Selections are the set's boxes.csv rectangles, or with
/// <c>--selections DIR</c> free-form selection masks (at least half white = inside; the GrabCut set's lasso trimaps read
/// as their lasso).
/// </summary>
public static class BoxesBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/, masks/ and boxes.csv.", Required = true };
        var selections = new Option<string?>("--selections") { Description = "A folder of free-form selections NAME.png (≥ 128 = inside) instead of the boxes, e.g. the GrabCut set's trimaps_lasso." };
        var model = new Option<string>("--model") { Description = "The installed subject model that guides the cut.", DefaultValueFactory = _ => "u2netp" };
        var iterations = new Option<int>("--iterations") { Description = "Most GrabCut iterations (ours stop earlier once the energy settles, as pdnseg cut does; OpenCV runs them all).", DefaultValueFactory = _ => 5 };
        var modelsDir = ModelsCommand.FolderOption();
        var limit = BenchCommand.LimitOption();
        var command = new Command("boxes", "Smart Cut on a dataset's boxes or selections: GrabCut alone, the model alone and the fused cut against ground truth, OpenCV's grabCut in the same run.")
        {
            dataset, selections, model, iterations, modelsDir, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetValue(selections), parse.GetRequiredValue(model), parse.GetValue(iterations),
            parse.GetValue(modelsDir), parse.GetValue(limit)));
        return command;
    }

    /// <summary>One image's outcome: scores of GrabCut alone, the model alone, the fused cut and OpenCV; the trust; times.</summary>
    private sealed record Row(string Name, SegmentationScore GrabCut, SegmentationScore Model, SegmentationScore Fused, SegmentationScore? Peer,
        ModelTrust Trust, double GrabCutMs, double FusedMs, double PeerMs, long FusedPeak, long PeerPeak);

    private static int Run(CommandContext context, string folder, string? selectionFolder, string modelName, int iterations, string? modelsDir, int? limit)
    {
        if (iterations < 1) throw new UsageException($"--iterations must be at least 1 (got {iterations}).");
        if (selectionFolder is not null && !Directory.Exists(selectionFolder)) throw new InputFileException($"--selections '{selectionFolder}' does not exist.");
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        var installed = ModelsCommand.Store(modelsDir).Subject(modelName);
        using var selector = SubjectSelector.Open(installed, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        var options = new ModelGuidedCutOptions { GrabCut = new GrabCutOptions { MaxIterations = iterations } };
        var output = context.Out;
        output.WriteLine($"Smart Cut on {Path.GetFullPath(folder)}: {samples.Count} images, selections: {(selectionFolder is null ? "boxes.csv rectangles" : $"free-form masks in {Path.GetFullPath(selectionFolder)}")}; " +
                         $"model {installed.Name} on crops with margins {string.Join(" and ", options.Prompt.Margins.Select(m => m.ToString(CultureInfo.InvariantCulture)))} (ONNX Runtime CPU), " +
                         $"{Environment.ProcessorCount} cores; peer: OpenCV {Cv2.GetVersionString()} cv::grabCut from the same selection, {iterations} iterations.");
        output.WriteLine("IoU with the ground truth over the image; error = wrong pixels inside the selection's bounding box; the ground truth's boundary band is excluded from both. " +
                         "GrabCut = pdnseg cut --model none; model = its object on the crops, inside the selection; Smart Cut = pdnseg cut (the default).");
        output.WriteLine();
        output.WriteLine("| image | IoU GrabCut | IoU model | IoU Smart Cut | IoU OpenCV | error GrabCut | error model | error Smart Cut | error OpenCV | model trusted | ms GrabCut | ms Smart Cut | ms OpenCV |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");

        var rows = new List<Row>();
        bool warmedUp = false;
        foreach (var sample in samples)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (gw, gh, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground-truth mask");
            ImageGuard.SameSize("ground-truth mask", gw, gh, image.Width, image.Height);
            Mask? region = null;
            if (selectionFolder is not null)
            {
                string path = Path.Combine(selectionFolder, sample.Name + ".png");
                if (!File.Exists(path)) throw new InputFileException($"No selection for '{sample.Name}' in '{selectionFolder}' ({sample.Name}.png).");
                region = ImageFiles.ReadSelection(path, "selection", image.Width, image.Height);
            }
            var input = region is null ? GrabCutInput.FromRectangle(sample.Box) : GrabCutInput.FromRegion(region);
            var scored = input.SelectionBounds(image.Width, image.Height);
            using var peer = new OpenCvGrabCut(image);
            if (!warmedUp)
            {
                // Runtime start-up, the model session's first run and OpenCV's lazy initialisation: once, outside every measurement.
                try { ModelGuidedCut.Segment(image, input, selector, options with { GrabCut = options.GrabCut with { MaxIterations = 1 } }); }
                catch (SegmentationInputException) { } // a whole-photo selection without a subject: the model has run all the same
                TryPeer(peer, sample.Box, region, 1);
                warmedUp = true;
            }

            var watch = Stopwatch.StartNew();
            var grabCut = GrabCut.Segment(image, input, options.GrabCut, null, context.Cancellation).Foreground;
            double grabCutMs = watch.Elapsed.TotalMilliseconds;

            PeakMemory.Reset();
            watch.Restart();
            var prompt = PromptedPrior.Compute(image, input, selector, options.Prompt, null, context.Cancellation);
            Mask fused;
            try { fused = ModelGuidedCut.SegmentWithPrior(image, input, prompt, options, null, context.Cancellation).Foreground; }
            // Smart Cut asks the user to select the object instead; scored as the GrabCut guess it replaced, so that the
            // set's means stay comparable.
            catch (SegmentationInputException) when (prompt.Trust.FoundNoSubject) { fused = grabCut; }
            double fusedMs = watch.Elapsed.TotalMilliseconds;
            long fusedPeak = PeakMemory.Peak();

            PeakMemory.Reset();
            watch.Restart();
            var peerMask = TryPeer(peer, sample.Box, region, iterations);
            double peerMs = watch.Elapsed.TotalMilliseconds;
            long peerPeak = PeakMemory.Peak();

            var row = new Row(sample.Name, SegmentationScore.Compute(grabCut, truth, scored), SegmentationScore.Compute(prompt.ObjectMask(), truth, scored),
                SegmentationScore.Compute(fused, truth, scored), peerMask is null ? null : SegmentationScore.Compute(peerMask, truth, scored),
                prompt.Trust, grabCutMs, fusedMs, peerMs, fusedPeak, peerPeak);
            rows.Add(row);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.GrabCut.IoU:F3} | {row.Model.IoU:F3} | {row.Fused.IoU:F3} | {(row.Peer is { } p ? p.IoU.ToString("F3", CultureInfo.InvariantCulture) : "failed")} | " +
                $"{Pct(row.GrabCut.ErrorRate)} | {Pct(row.Model.ErrorRate)} | {Pct(row.Fused.ErrorRate)} | {(row.Peer is { } q ? Pct(q.ErrorRate) : "—")} | " +
                $"{Trusted(row.Trust)} | {row.GrabCutMs:F0} | {row.FusedMs:F0} | {(row.Peer is null ? "—" : row.PeerMs.ToString("F0", CultureInfo.InvariantCulture))} |"));
        }
        Summary(output, rows);
        return ExitCodes.Success;
    }

    private static void Summary(TextWriter output, List<Row> rows)
    {
        var both = rows.Where(r => r.Peer is not null).ToList();
        string Below(Func<Row, SegmentationScore> of)
        {
            var below = rows.Where(r => of(r).IoU < r.GrabCut.IoU - 0.05).Select(r => r.Name).ToList();
            return below.Count == 0 ? "0" : $"{below.Count} ({string.Join(", ", below)})";
        }
        output.WriteLine();
        output.WriteLine($"| summary ({rows.Count} images) | GrabCut alone | model alone | **Smart Cut** | OpenCV grabCut |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean IoU | {rows.Average(r => r.GrabCut.IoU):F4} | {rows.Average(r => r.Model.IoU):F4} | **{rows.Average(r => r.Fused.IoU):F4}** | {(both.Count == rows.Count ? both.Average(r => r.Peer!.Value.IoU).ToString("F4", CultureInfo.InvariantCulture) : $"{both.Average(r => r.Peer!.Value.IoU):F4} ({rows.Count - both.Count} failed)")} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean error inside the selection's box | {Pct(rows.Average(r => r.GrabCut.ErrorRate))} | {Pct(rows.Average(r => r.Model.ErrorRate))} | **{Pct(rows.Average(r => r.Fused.ErrorRate))}** | {(both.Count == 0 ? "—" : Pct(both.Average(r => r.Peer!.Value.ErrorRate)))} |"));
        output.WriteLine($"| images more than 0.05 IoU below GrabCut alone | | {Below(r => r.Model)} | {Below(r => r.Fused)} | |");
        output.WriteLine($"| model trusted: fully / partly / not | | | {rows.Count(r => r.Trust.Value >= 1)} / {rows.Count(r => r.Trust.Value is > 0 and < 1)} / {rows.Count(r => r.Trust.Value <= 0)} | |");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| median time (ms) | {Stats.Median(rows.Select(r => r.GrabCutMs)):F0} | | {Stats.Median(rows.Select(r => r.FusedMs)):F0} | {Stats.Median(both.Select(r => r.PeerMs)):F0} |"));
        // The mean as well: Smart Cut runs the model once or twice per selection (the mirrored run only where it is needed).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean time (ms) | {rows.Average(r => r.GrabCutMs):F0} | | {rows.Average(r => r.FusedMs):F0} | {(both.Count == 0 ? "—" : both.Average(r => r.PeerMs).ToString("F0", CultureInfo.InvariantCulture))} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| median peak RSS (MB) | | | {Stats.Median(rows.Select(r => (double)r.FusedPeak)) / 1048576:F0} | {Stats.Median(both.Select(r => (double)r.PeerPeak)) / 1048576:F0} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| time ratio Smart Cut / OpenCV: median per image | | | {Stats.Median(both.Select(r => r.FusedMs / r.PeerMs)):F2} | 1 |"));
    }

    private static string Trusted(ModelTrust trust) =>
        trust.FoundNoSubject ? "refused (whole photo, no subject)" : trust.Value >= 1 ? "yes" : trust.Value <= 0 ? "no" : (100 * trust.Value).ToString("F0", CultureInfo.InvariantCulture) + " %";

    private static Mask? TryPeer(OpenCvGrabCut peer, PixelRect box, Mask? region, int iterations)
    {
        try { return region is null ? peer.Segment(box, iterations) : peer.SegmentFromSelection(region, iterations); }
        catch (OpenCVException) { return null; } // e.g. a rectangle over the whole image leaves no background samples
    }

    private static string Pct(double rate) => (100 * rate).ToString("F2", CultureInfo.InvariantCulture) + " %";
}
