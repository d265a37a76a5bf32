using System.Diagnostics;
using System.Globalization;
using PaintDotNet.TestHost;
using PdnSegmentation.PaintDotNet.Effects;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/PdnSegmentation.Benchmarks -- effect-memory [megapixels] [refine-matte|later]</c>:
/// Smart Cut on a large generated photo in the test host (one rectangle selection, hard edge and refined matte) or, with
/// <c>refine-matte</c>, Refine Matte on the same photo with a painted trimap layer (an unknown band along the object's
/// edge, 10 % of the pixels); the time and the process's peak resident memory (Linux VmHWM, reset before each run).
/// With <c>later</c>, Smart Cut as every dialog after the first sees it: the object model already open; three such
/// dialogs in a row (the process's second to fourth), since the first few dialogs in a process still pay the JIT's
/// tiering (measured at 1 MP: 0.95–1.10 s after one small dialog, 0.75–0.89 s after four; the runtime's one compilation
/// thread shares the two cores with the work).
/// The host's own document copies are included. Refine Matte runs in its own process: the heap an earlier run left
/// behind would otherwise count towards its peak.
/// </summary>
public static class EffectMemoryBenchmark
{
    public static void Run(string[] args)
    {
        var document = LargeSceneDocument.FromArguments(args, defaultMegapixels: 24, aspect: 3.0 / 2, seed: 2);
        int width = document.Size.Width, height = document.Size.Height;
        if (args.Length > 2 && args[2] == "refine-matte")
        {
            RunRefineMatte(document);
            return;
        }
        bool later = args.Length > 2 && args[2] == "later";
        if (later)
        {
            // A dialog on a small photo first, unmeasured: it opens the model, which the plugin keeps open for the
            // next dialog (SubjectSelectorCache). In its own process, so that the peak is not the heap the measured
            // runs of the default mode leave behind.
            EffectHost.Run<SmartCutEffect>(LargeSceneDocument.Create(0.25, 3.0 / 2, seed: 3), 0);
        }
        GC.Collect(); // the generated scene is garbage now: the peak measures the effect, not the generator
        Console.WriteLine($"Smart Cut in the test host: {width}×{height} ({width * height / 1e6:F1} MP), {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| object model | edge quality | dialog | s (whole run) | peak RSS MB | result |");
        Console.WriteLine("|---|---|---|---:|---:|---|");
        var runs = later
            ? new[] { ("u2netp", EdgeQuality.Hard, "later: the process's second, the model open"), ("u2netp", EdgeQuality.Hard, "the process's third"), ("u2netp", EdgeQuality.Hard, "the process's fourth") }
            : new[] { ("u2netp", EdgeQuality.Hard, "first in the process"), (SmartCutEffect.NoModel, EdgeQuality.Hard, "–"), ("u2netp", EdgeQuality.RefinedMatte, "later: the model open") };
        foreach (var (model, quality, dialog) in runs)
        {
            ResetPeak();
            var watch = Stopwatch.StartNew();
            var run = EffectHost.Run<SmartCutEffect>(document, 0, p =>
            {
                p[SmartCutEffect.PropertyNames.EdgeQuality]!.Value = quality;
                p[SmartCutEffect.PropertyNames.ObjectModel]!.Value = model;
            });
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = Peak();
            int opaque = run.Layer.Count(p => p.A >= 128);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {model} | {quality} | {dialog} | {seconds:F2} | {peak / 1048576.0:F0} | {opaque} object pixels |"));
            GC.Collect();
        }
    }

    private static void RunRefineMatte(HostDocument document)
    {
        var (trimapped, unknownFraction) = LargeSceneDocument.WithTrimapLayer(document, seed: 2, unknownFraction: 0.10);
        document = trimapped;
        GC.Collect();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Refine Matte in the test host, the same photo with a \"trimap\" layer ({unknownFraction:P1} unknown):"));
        Console.WriteLine();
        Console.WriteLine("| effect | s (whole run) | peak RSS MB | result |");
        Console.WriteLine("|---|---:|---:|---|");
        {
            ResetPeak();
            var watch = Stopwatch.StartNew();
            var run = EffectHost.Run<RefineMatteEffect>(document, 0);
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = Peak();
            int soft = run.Layer.Count(p => p.A is > 0 and < 255);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Refine Matte (closed-form) | {seconds:F1} | {peak / 1048576.0:F0} | {soft} soft pixels |"));
        }
    }

    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long Peak()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
