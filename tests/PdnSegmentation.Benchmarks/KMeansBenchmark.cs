using BenchmarkDotNet.Attributes;
using OpenCvSharp;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Benchmarks;

/// <summary>GrabCut's initial clustering: our SIMD k-means against OpenCV's cv::kmeans (k-means++, 10 iterations).</summary>
[MemoryDiagnoser]
public class KMeansBenchmark
{
    private float[] _samples = [];
    private int[] _labels = [];
    private Mat _mat = new();

    [Params(100_000)]
    public int Samples { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _samples = new float[3 * Samples];
        // Five colour blobs, as an object or background model sees them.
        for (int i = 0; i < Samples; i++)
        {
            int blob = i % 5;
            for (int c = 0; c < 3; c++) _samples[3 * i + c] = 40 * blob + c * 10 + (float)(random.NextDouble() * 30);
        }
        _labels = new int[Samples];
        _mat = Mat.FromPixelData(Samples, 3, MatType.CV_32FC1, _samples).Clone();
    }

    [Benchmark(Baseline = true)]
    public double OpenCvKMeans()
    {
        using var labels = new Mat();
        using var centers = new Mat();
        return Cv2.Kmeans(_mat, 5, labels, new TermCriteria(CriteriaTypes.MaxIter, 10, 0), 1, KMeansFlags.PpCenters, centers);
    }

    [Benchmark]
    public float Ours() => KMeans.Cluster(_samples, 5, _labels, 10, 1)[0];

    [GlobalCleanup]
    public void Cleanup() => _mat.Dispose();
}
