using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Solvers;

/// <summary>
/// The vector steps of CG and the multigrid cycle (dot products, updates) over the fixed row-chunk partition
/// (<see cref="RowChunks"/>) in parallel. With a million unknowns or more these passes are a tenth of a CG iteration;
/// below about a quarter million one thread is quicker. Dot products sum each chunk and then the chunks in order, so
/// results do not depend on the thread count.
/// </summary>
internal static class ParallelVectors
{
    private const int ParallelFrom = 1 << 18;

    [ThreadStatic] private static double[]? t_partial;

    internal static void ForChunks(int n, Action<int, int> body)
    {
        if (n < ParallelFrom) { body(0, n); return; }
        RowChunks.Run(n, Environment.ProcessorCount, CancellationToken.None, (_, start, end) => body(start, end));
    }

    public static double Dot(double[] a, double[] b)
    {
        int n = a.Length;
        if (n < ParallelFrom) return DotRange(a, b, 0, n);
        var partial = t_partial ??= new double[RowChunks.Count]; // per calling thread: concurrent solves (batches) do not share it
        RowChunks.Run(n, Environment.ProcessorCount, CancellationToken.None, (chunk, start, end) => partial[chunk] = DotRange(a, b, start, end));
        double sum = 0;
        for (int c = 0; c < RowChunks.Count; c++) sum += partial[c];
        return sum;
    }

    private static double DotRange(double[] a, double[] b, int start, int end)
    {
        double sum = 0;
        for (int i = start; i < end; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>x += α p, r −= α q.</summary>
    public static void Step(double[] x, double[] r, double[] p, double[] q, double alpha) =>
        ForChunks(x.Length, (start, end) =>
        {
            for (int i = start; i < end; i++) { x[i] += alpha * p[i]; r[i] -= alpha * q[i]; }
        });

    /// <summary>r −= α q.</summary>
    public static void SubtractScaled(double[] r, double[] q, double alpha) =>
        ForChunks(r.Length, (start, end) =>
        {
            for (int i = start; i < end; i++) r[i] -= alpha * q[i];
        });

    /// <summary>p = z + β p.</summary>
    public static void Direction(double[] p, double[] z, double beta) =>
        ForChunks(p.Length, (start, end) =>
        {
            for (int i = start; i < end; i++) p[i] = z[i] + beta * p[i];
        });

    /// <summary>d = a − b.</summary>
    public static void Difference(double[] d, double[] a, double[] b) =>
        ForChunks(d.Length, (start, end) =>
        {
            for (int i = start; i < end; i++) d[i] = a[i] - b[i];
        });

    /// <summary>z += v.</summary>
    public static void Add(double[] z, double[] v) =>
        ForChunks(z.Length, (start, end) =>
        {
            for (int i = start; i < end; i++) z[i] += v[i];
        });
}
