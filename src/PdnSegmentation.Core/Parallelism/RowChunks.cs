namespace PdnSegmentation.Parallelism;

/// <summary>
/// Splits image rows into a fixed number of chunks and runs them in parallel. The partition does not depend on
/// the number of threads, so per-chunk sums merged in chunk order give the same result on any machine.
/// </summary>
public static class RowChunks
{
    public const int Count = 64;

    /// <summary>Runs body(chunk, firstRow, endRow) for every chunk; chunk indices are 0..Count-1.</summary>
    public static void Run(int rows, int parallelism, CancellationToken cancellationToken, Action<int, int, int> body)
    {
        int chunks = Math.Min(Count, rows);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        Parallel.For(0, chunks, options, chunk =>
        {
            int y0 = (int)((long)rows * chunk / chunks), y1 = (int)((long)rows * (chunk + 1) / chunks);
            body(chunk, y0, y1);
        });
    }
}
