using BenchmarkDotNet.Attributes;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// GrabCut's data term over a run of pixels: the vectorised <see cref="ColorGmm.Costs"/> against the per-pixel
/// <see cref="ColorGmm.MixtureCost"/> it replaced in GrabCut's evaluation pass (no library evaluates a fixed mixture per
/// pixel: OpenCV's EM.predict2 works one sample at a time through a Mat).
/// </summary>
[MemoryDiagnoser]
public class MixtureCostBenchmark
{
    private byte[] _pixels = [];
    private float[] _costs = [];
    private byte[] _components = [];
    private ColorGmm _model = null!;

    [Params(250_000)]
    public int Pixels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var samples = new float[3 * 20_000];
        for (int i = 0; i < samples.Length; i++) samples[i] = 40 * (i / 3 % 5) + (float)(random.NextDouble() * 40);
        _model = ColorGmm.Initialize(samples, 5, GmmInitialization.KMeans, 0.01);
        _pixels = new byte[4 * Pixels];
        random.NextBytes(_pixels);
        _costs = new float[Pixels];
        _components = new byte[Pixels];
    }

    [Benchmark(Baseline = true)]
    public float PerPixel()
    {
        for (int i = 0; i < Pixels; i++)
        {
            _costs[i] = _model.MixtureCost(_pixels[4 * i], _pixels[4 * i + 1], _pixels[4 * i + 2], out int k);
            _components[i] = (byte)k;
        }
        return _costs[^1];
    }

    [Benchmark]
    public float Vectorised()
    {
        _model.Costs(_pixels, mixture: true, _costs, _components);
        return _costs[^1];
    }
}
