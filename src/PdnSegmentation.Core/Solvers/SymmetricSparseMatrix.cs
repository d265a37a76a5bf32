using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A symmetric sparse matrix in full CSR form, built from its lower triangle, with a row-parallel product.
/// Why hand-written: MathNet's SparseMatrix product is single-threaded and boxes through its storage
/// abstraction; this is the inner loop of every conjugate-gradient iteration.
/// </summary>
public sealed class SymmetricSparseMatrix
{
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly double[] _values;
    private readonly int _parallelism;

    public int Size { get; }

    /// <param name="rowStart">Lower-triangle CSR (rows ascending, diagonal included).</param>
    public SymmetricSparseMatrix(int[] rowStart, int[] columns, double[] values, int parallelism = 0)
    {
        int n = rowStart.Length - 1;
        Size = n;
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        var counts = new int[n];
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                counts[i]++;
                if (columns[e] != i) counts[columns[e]]++;
            }
        _rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) _rowStart[i + 1] = _rowStart[i] + counts[i];
        _columns = new int[_rowStart[n]];
        _values = new double[_rowStart[n]];
        var fill = (int[])_rowStart.Clone();
        // Each lower entry (i, j) goes to row i and, mirrored, to row j (column order within a row is irrelevant).
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                int j = columns[e];
                _columns[fill[i]] = j; _values[fill[i]++] = values[e];
                if (j != i) { _columns[fill[j]] = i; _values[fill[j]++] = values[e]; }
            }
    }

    /// <summary>y = A x.</summary>
    public void Multiply(double[] x, double[] y) =>
        RowChunks.Run(Size, _parallelism, CancellationToken.None, (_, start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                double sum = 0;
                for (int e = _rowStart[i]; e < _rowStart[i + 1]; e++) sum += _values[e] * x[_columns[e]];
                y[i] = sum;
            }
        });
}
