using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PdnSegmentation.Benchmarks.KMeansBenchmark).Assembly).Run(args);
