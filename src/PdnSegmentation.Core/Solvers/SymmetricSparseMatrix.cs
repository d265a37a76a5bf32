using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A symmetric sparse matrix stored as its lower triangle in CSR form (shared with the caller, not copied), with a
/// parallel product y = A x. Each of a fixed number of row chunks gathers its rows' lower entries and scatters
/// their mirrored upper entries; scatters that land before the chunk's first row go to the chunk's own side buffer,
/// added in chunk order afterwards, so the result does not depend on the thread count.
/// Why hand-written: MathNet's SparseMatrix product is single-threaded and boxes through its storage abstraction,
/// and it would need the full matrix: storing one triangle halves the memory and the bytes each product reads
/// (lemur 12 MP: 1.5 M unknowns, 465 → 240 MB), which is what the product's time is bound by.
/// </summary>
public sealed class SymmetricSparseMatrix
{
    private const int Chunks = 64;
    /// <summary>
    /// Rows per chunk at least: each chunk's side buffer spans the rows its first rows reach back to, added serially after
    /// the product, and on the multigrid's small coarse levels 64 chunks spent more on that and on scheduling than on
    /// their rows (lemur 12 MP, level 3, 25 k rows: 2.2 → 0.4 ms per product).
    /// </summary>
    private const int MinimumChunkRows = 4096;
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly double[] _values;
    private readonly float[]? _singleValues; // InSinglePrecision: the values rounded to float (then _values is empty)
    private readonly int _parallelism;
    private readonly int[] _chunkStart;
    private readonly int[] _sideStart;    // first row a chunk's side buffer covers
    private readonly double[][] _side;
    private readonly int[] _runs; // StencilRows
    private readonly ColumnRuns? _columnRuns;

    public int Size { get; }

    /// <summary>The pattern's full-stencil rows (<see cref="StencilRows"/>), for a factorisation of the same pattern.</summary>
    internal int[] StencilRuns => _runs;

    /// <summary>The pattern's <see cref="Solvers.ColumnRuns"/> when its runs are long, for a factorisation of the same pattern.</summary>
    internal ColumnRuns? ColumnRuns => _columnRuns;

    /// <param name="rowStart">Lower-triangle CSR: rows ascending, columns ascending within a row, diagonal last.</param>
    public SymmetricSparseMatrix(int[] rowStart, int[] columns, double[] values, int parallelism = 0)
    {
        int n = rowStart.Length - 1;
        Size = n;
        _rowStart = rowStart;
        _columns = columns;
        _values = values;
        _runs = StencilRows.Find(rowStart, columns);
        _columnRuns = ColumnRuns.Find(rowStart, columns);
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        int chunks = Math.Clamp(n / MinimumChunkRows, 1, Chunks);
        _chunkStart = new int[chunks + 1];
        _sideStart = new int[chunks];
        _side = new double[chunks][];
        for (int c = 0; c <= chunks; c++) _chunkStart[c] = (int)((long)n * c / chunks);
        for (int c = 0; c < chunks; c++)
        {
            int first = _chunkStart[c], lowest = first;
            for (int i = first; i < _chunkStart[c + 1]; i++)
                if (rowStart[i + 1] > rowStart[i]) lowest = Math.Min(lowest, columns[rowStart[i]]);
            _sideStart[c] = lowest;
            _side[c] = new double[first - lowest];
        }
    }

    private SymmetricSparseMatrix(SymmetricSparseMatrix matrix, float[] singleValues)
    {
        Size = matrix.Size;
        _rowStart = matrix._rowStart;
        _columns = matrix._columns;
        _values = [];
        _singleValues = singleValues;
        _runs = matrix._runs;
        _columnRuns = matrix._columnRuns;
        _parallelism = matrix._parallelism;
        _chunkStart = matrix._chunkStart;
        _sideStart = matrix._sideStart;
        _side = matrix._side.Select(side => new double[side.Length]).ToArray();
    }

    /// <summary>
    /// The same matrix with its values rounded to single precision (the pattern shared): for a preconditioner's own
    /// products, where the matrix only has to be close. The product reads 8 instead of 12 bytes per entry (it is bound
    /// by that traffic; lemur 12 MP, 1.55 M unknowns: 10 → 8.5 ms per product). Not for CG's own product: the matting Laplacian with
    /// ε = 1e-7 needs double precision to solve the right system.
    /// </summary>
    public SymmetricSparseMatrix InSinglePrecision()
    {
        var single = new float[_values.Length];
        var values = _values;
        RowChunks.Run(values.Length, _parallelism, CancellationToken.None, (_, start, end) =>
        {
            for (int e = start; e < end; e++) single[e] = (float)values[e];
        });
        return new SymmetricSparseMatrix(this, single);
    }

    /// <summary>y = A x (no per-product arrays).</summary>
    public void Multiply(double[] x, double[] y)
    {
        int chunks = _chunkStart.Length - 1;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism };
        if (_singleValues is null) Parallel.For(0, chunks, options, c => MultiplyChunk(c, _values, x, y));
        else Parallel.For(0, chunks, options, c => MultiplyChunk(c, _singleValues, x, y));
        for (int c = 0; c < chunks; c++)
        {
            var side = _side[c];
            int offset = _sideStart[c];
            for (int k = 0; k < side.Length; k++) { y[offset + k] += side[k]; side[k] = 0; }
        }
    }

    // Pointers rather than array indexing (three bounds checks per entry were a large share of the instructions the
    // product is bound by), the side-buffer test only on the chunk's first rows, the ones reaching before it, and rows
    // of a full 5×5 stencil (StencilRows) in vector steps without reading their column indices, and rows of a pattern
    // with long runs of consecutive columns (ColumnRuns: the multigrid's candidate levels) a run at a time.
    private unsafe void MultiplyChunk<T>(int chunk, T[] valueArray, double[] x, double[] y) where T : unmanaged
    {
        int first = _chunkStart[chunk], end = _chunkStart[chunk + 1];
        Array.Clear(y, first, end - first);
        int sideStart = _sideStart[chunk];
        bool vector = Avx.IsSupported;
        var columnRuns = _columnRuns;
        fixed (int* rowStart = _rowStart, columns = _columns, runs = _runs)
        fixed (int* rowRunStart = columnRuns?.RowRunStart, runColumn = columnRuns?.Column, runLength = columnRuns?.Length)
        fixed (T* values = valueArray)
        fixed (double* xp = x, yp = y, side = _side[chunk])
        {
            for (int i = first; i < end; i++)
            {
                int start = rowStart[i], diagonal = rowStart[i + 1] - 1;
                if (diagonal < start) continue;
                double xi = xp[i], sum = Value(values + diagonal) * xi;
                int c0 = runs[2 * i], c1 = runs[2 * i + 1];
                if (c0 >= first && c1 < 0)
                {
                    // A full 3×3 row: three consecutive unknowns a grid row up and the one just before this one.
                    double v0 = Value(values + start), v1 = Value(values + start + 1), v2 = Value(values + start + 2), v3 = Value(values + start + 3);
                    sum += v0 * xp[c0] + v1 * xp[c0 + 1] + v2 * xp[c0 + 2] + v3 * xp[i - 1];
                    yp[c0] += v0 * xi;
                    yp[c0 + 1] += v1 * xi;
                    yp[c0 + 2] += v2 * xi;
                    yp[i - 1] += v3 * xi;
                }
                else if (vector && c0 >= first)
                {
                    // The two runs of five consecutive unknowns, four entries of each in one vector step, and the two
                    // unknowns just before this one.
                    var va = Values4(values + start);
                    var vb = Values4(values + start + 5);
                    var broadcast = Vector256.Create(xi);
                    double v4 = Value(values + start + 4), v9 = Value(values + start + 9), v10 = Value(values + start + 10), v11 = Value(values + start + 11);
                    sum += StencilRows.Sum(Avx.Add(Avx.Multiply(va, Avx.LoadVector256(xp + c0)), Avx.Multiply(vb, Avx.LoadVector256(xp + c1))))
                        + v4 * xp[c0 + 4] + v9 * xp[c1 + 4] + v10 * xp[i - 2] + v11 * xp[i - 1];
                    Avx.Store(yp + c0, Avx.Add(Avx.LoadVector256(yp + c0), Avx.Multiply(va, broadcast)));
                    yp[c0 + 4] += v4 * xi;
                    Avx.Store(yp + c1, Avx.Add(Avx.LoadVector256(yp + c1), Avx.Multiply(vb, broadcast)));
                    yp[c1 + 4] += v9 * xi;
                    yp[i - 2] += v10 * xi;
                    yp[i - 1] += v11 * xi;
                }
                else if (rowRunStart is not null)
                {
                    // A run's columns before the chunk's first row scatter to its side buffer (on the coarser levels
                    // most rows of a chunk reach before it).
                    int e = start;
                    for (int r = rowRunStart[i]; r < rowRunStart[i + 1]; r++)
                    {
                        int c = runColumn[r], length = runLength[r];
                        int before = Math.Clamp(first - c, 0, length);
                        if (before > 0) sum += ColumnRuns.DotAndAddScaled(values + e, xp + c, side + (c - sideStart), before, xi);
                        if (before < length) sum += ColumnRuns.DotAndAddScaled(values + e + before, xp + c + before, yp + c + before, length - before, xi);
                        e += length;
                    }
                }
                else if (columns[start] >= first)
                {
                    for (int e = start; e < diagonal; e++)
                    {
                        int j = columns[e];
                        double v = Value(values + e);
                        sum += v * xp[j];
                        yp[j] += v * xi;
                    }
                }
                else
                {
                    for (int e = start; e < diagonal; e++)
                    {
                        int j = columns[e];
                        double v = Value(values + e);
                        sum += v * xp[j];
                        if (j >= first) yp[j] += v * xi;
                        else side[j - sideStart] += v * xi;
                    }
                }
                yp[i] += sum;
            }
        }
    }

    // One product for both precisions: the type tests are constants to the compiler, so each instantiation is straight
    // code. Inlining is asked for: the ahead-of-time compiler left these calls in the loop (product 7.7 → 10 ms). Also
    // ColumnRuns' steps read their entries through these.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe double Value<T>(T* p) where T : unmanaged => typeof(T) == typeof(float) ? *(float*)p : *(double*)p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe Vector256<double> Values4<T>(T* p) where T : unmanaged =>
        typeof(T) == typeof(float) ? Avx.ConvertToVector256Double(Sse.LoadVector128((float*)p)) : Avx.LoadVector256((double*)p);
}
