using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "effect-cancel")
    PdnSegmentation.Benchmarks.EffectCancellationBenchmark.Run(args);
else if (args.Length > 0 && args[0] == "effect-examples")
    PdnSegmentation.Benchmarks.EffectExamples.Run(args);
else if (args.Length > 0 && args[0] == "effect-memory")
    PdnSegmentation.Benchmarks.EffectMemoryBenchmark.Run(args);
else if (args.Length > 0 && args[0] == "multigrid-damping")
    PdnSegmentation.Benchmarks.MultigridDampingBenchmark.Run(args);
else
    BenchmarkSwitcher.FromAssembly(typeof(PdnSegmentation.Benchmarks.KMeansBenchmark).Assembly).Run(args);
