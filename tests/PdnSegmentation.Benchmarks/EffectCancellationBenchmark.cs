using System.Globalization;
using PaintDotNet.TestHost;
using PdnSegmentation.PaintDotNet.Effects;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/PdnSegmentation.Benchmarks -- effect-cancel [megapixels]</c>: how long Smart Cut
/// takes to give up after Paint.NET cancels it (the user pressed Cancel or moved a slider), on a large generated photo
/// in the test host. Cancel is requested at several moments into the work (OnSetToken, where the whole-image work runs);
/// latency = OnSetToken's return − the request. The layer must come back unchanged.
/// </summary>
public static class EffectCancellationBenchmark
{
    public static void Run(string[] args)
    {
        var document = LargeSceneDocument.FromArguments(args, defaultMegapixels: 12, aspect: 4.0 / 3, seed: 1);
        int width = document.Size.Width, height = document.Size.Height;
        var original = document.Layers[0].ToArray();
        Console.WriteLine($"Smart Cut cancellation in the test host: {width}×{height} ({width * height / 1e6:F1} MP), {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| edge quality | cancel requested after (s) | OnSetToken returned after (s) | latency (s) | layer unchanged |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        foreach (var quality in new[] { EdgeQuality.Hard, EdgeQuality.RefinedMatte })
            foreach (double delay in new[] { 0.25, 0.5, 1, 2, 4 })
            {
                var run = EffectHost.Run<SmartCutEffect>(document, 0, p => p[SmartCutEffect.PropertyNames.EdgeQuality]!.Value = quality,
                    new RenderPlan { CancelAfter = TimeSpan.FromSeconds(delay) });
                double total = run.SetTokenTime.TotalSeconds;
                bool unchanged = run.Layer.AsSpan().SequenceEqual(original);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {quality} | {delay:F2} | {total:F2} | {Math.Max(0, total - delay):F2} | {(unchanged ? "yes" : "no (finished before the cancel)")} |"));
            }
    }
}
