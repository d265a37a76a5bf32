using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "effect-cancel")
    PdnSegmentation.Benchmarks.EffectCancellationBenchmark.Run(args);
else
    BenchmarkSwitcher.FromAssembly(typeof(PdnSegmentation.Benchmarks.KMeansBenchmark).Assembly).Run(args);
