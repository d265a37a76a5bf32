using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra.Double;
using PdnSegmentation.Solvers;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// The inner product of every matting CG iteration: a symmetric 25-point-stencil matrix (the matting Laplacian's
/// pattern) times a vector — ours (row-parallel CSR) against MathNet.Numerics' SparseMatrix.
/// </summary>
public class SparseProductBenchmark
{
    private SymmetricSparseMatrix _ours = null!;
    private SparseMatrix _mathNet = null!;
    private double[] _x = [], _y = [];
    private DenseVector _xv = null!, _yv = null!;

    [Params(400)]
    public int Side { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int n = Side * Side;
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        var random = new Random(1);
        var storage = new List<Tuple<int, int, double>>();
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int i = y * Side + x;
                for (int dy = -2; dy <= 0; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                    {
                        if (dy == 0 && dx > 0) continue;
                        int jx = x + dx, jy = y + dy;
                        if (jx < 0 || jx >= Side || jy < 0) continue;
                        int j = jy * Side + jx;
                        double v = j == i ? 30 : -random.NextDouble();
                        columns.Add(j); values.Add(v);
                        storage.Add(Tuple.Create(i, j, v));
                        if (j != i) storage.Add(Tuple.Create(j, i, v));
                    }
                rowStart.Add(columns.Count);
            }
        _ours = new SymmetricSparseMatrix(rowStart.ToArray(), columns.ToArray(), values.ToArray());
        _mathNet = SparseMatrix.OfIndexed(n, n, storage);
        _x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        _y = new double[n];
        _xv = DenseVector.OfArray(_x);
        _yv = new DenseVector(n);
    }

    [Benchmark(Baseline = true)]
    public void MathNetSparseMatrix() => _mathNet.Multiply(_xv, _yv);

    [Benchmark]
    public void Ours() => _ours.Multiply(_x, _y);
}
