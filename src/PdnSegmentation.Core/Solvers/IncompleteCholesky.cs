using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PdnSegmentation.Solvers;

/// <summary>
/// Zero fill-in incomplete Cholesky factorisation L Lᵀ ≈ A of a sparse symmetric positive definite matrix, as a
/// conjugate-gradient preconditioner. A is given by its lower triangle in CSR form, rows in ascending column order
/// with the diagonal last. When a pivot is not positive the factorisation restarts on A + shift·diag(A) with a
/// growing shift (the usual remedy; PyMatting's ichol does the same).
/// <para>
/// Block-Jacobi over a fixed number of row blocks: couplings between blocks are dropped, so the blocks factor and
/// solve independently, in parallel (the triangular solves are otherwise the sequential half of every CG
/// iteration). The block count is fixed, not the core count, so results do not depend on the machine.
/// </para>
/// <para>Why hand-written: MathNet.Numerics has no sparse incomplete factorisation.</para>
/// </summary>
public sealed class IncompleteCholesky
{
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    // Stored in single precision: a preconditioner only needs to be close, and the triangular solves are bound by
    // memory traffic (lemur 4 MP: same iterations, peak 787 → 758 MB). Factorisation arithmetic is in double.
    private readonly float[] _factor;
    private readonly int _n;
    private readonly int[] _blockStart;
    private readonly double[] _inverseDiagonal = []; // 1 / L_ii: a multiplication instead of a division on each row's chain
    private readonly int[] _runs; // StencilRows
    private readonly ColumnRuns? _columnRuns;

    public double Shift { get; }

    public IncompleteCholesky(int[] rowStart, int[] columns, double[] lowerValues, int blocks = 1)
        : this(rowStart, columns, lowerValues, blocks, StencilRows.Find(rowStart, columns), ColumnRuns.Find(rowStart, columns)) { }

    /// <param name="stencilRuns">The pattern's <see cref="StencilRows"/>, when the matrix sharing it has them already.</param>
    /// <param name="columnRuns">The pattern's <see cref="ColumnRuns"/> (null where its runs are short), likewise.</param>
    internal IncompleteCholesky(int[] rowStart, int[] columns, double[] lowerValues, int blocks, int[] stencilRuns, ColumnRuns? columnRuns)
    {
        _n = rowStart.Length - 1;
        blocks = Math.Clamp(blocks, 1, Math.Max(1, _n));
        _blockStart = new int[blocks + 1];
        for (int b = 0; b <= blocks; b++) _blockStart[b] = (int)((long)_n * b / blocks);
        _rowStart = rowStart;
        _columns = columns;
        _factor = new float[lowerValues.Length];
        _runs = stencilRuns;
        _columnRuns = columnRuns;
        foreach (double shift in new[] { 0, 1e-4, 1e-3, 1e-2, 0.1, 0.5, 1, 10 })
        {
            if (TryFactor(lowerValues, shift))
            {
                Shift = shift;
                _inverseDiagonal = new double[_n];
                InvertDiagonal();
                return;
            }
        }
        throw new InvalidOperationException("The matrix is not positive definite enough for an incomplete Cholesky factorisation.");
    }

    private bool TryFactor(double[] a, double shift)
    {
        int blocks = _blockStart.Length - 1;
        var ok = new bool[blocks];
        Parallel.For(0, blocks, b => ok[b] = TryFactorBlock(a, shift, _blockStart[b], _blockStart[b + 1]));
        return ok.All(x => x);
    }

    // Each entry's dot product walks row k and looks up row i's entry in the same column through a column → entry map
    // of row i (one lookup per entry of row k; the same products in the same order as a merge of the two sorted rows).
    // Why: rows of the multigrid's candidate levels hold 20–30 entries, and merging two such rows per entry took 0.7 s
    // for one level at 12 MP.
    private unsafe bool TryFactorBlock(double[] a, double shift, int first, int end)
    {
        var position = new int[end - first];
        Array.Fill(position, -1);
        fixed (int* rowStart = _rowStart, columns = _columns, map = position)
        fixed (float* l = _factor)
        fixed (double* values = a)
        {
            for (int i = first; i < end; i++)
            {
                int start = rowStart[i], diagonal = rowStart[i + 1] - 1;
                for (int e = start; e < diagonal; e++)
                    if (columns[e] >= first) map[columns[e] - first] = e;
                double sumSquares = 0;
                for (int e = start; e < diagonal; e++)
                {
                    int k = columns[e];
                    if (k < first) { l[e] = 0; continue; } // coupling to another block: dropped
                    double dot = 0;
                    int qEnd = rowStart[k + 1] - 1;
                    for (int q = rowStart[k]; q < qEnd; q++)
                    {
                        int c = columns[q] - first;
                        if (c < 0) continue;
                        int p = map[c];
                        if (p >= 0) dot += (double)l[p] * l[q];
                    }
                    float value = (float)((values[e] - dot) / l[qEnd]);
                    l[e] = value;
                    sumSquares += (double)value * value;
                }
                for (int e = start; e < diagonal; e++)
                    if (columns[e] >= first) map[columns[e] - first] = -1;
                double pivot = values[diagonal] * (1 + shift) - sumSquares;
                if (!(pivot > 0)) return false;
                l[diagonal] = (float)Math.Sqrt(pivot);
            }
        }
        return true;
    }

    /// <summary>Scales the preconditioner: afterwards <see cref="Solve"/> gives <paramref name="factor"/> · (L Lᵀ)⁻¹ r (L divided by √factor).</summary>
    internal void Scale(double factor)
    {
        if (!(factor > 0)) throw new ArgumentOutOfRangeException(nameof(factor), "The scale must be positive.");
        float divisor = (float)Math.Sqrt(factor);
        for (int e = 0; e < _factor.Length; e++) _factor[e] /= divisor;
        InvertDiagonal();
    }

    private void InvertDiagonal()
    {
        for (int i = 0; i < _n; i++) _inverseDiagonal[i] = 1.0 / _factor[_rowStart[i + 1] - 1];
    }

    /// <summary>z = (L Lᵀ)⁻¹ r: one forward and one backward substitution. z may be r itself (each row reads its own r
    /// before writing its z, and otherwise only z's earlier, finished rows).</summary>
    public void Solve(double[] r, double[] z)
    {
        int blocks = _blockStart.Length - 1;
        if (blocks == 1) SolveBlock(r, z, 0, _n);
        else Parallel.For(0, blocks, b => SolveBlock(r, z, _blockStart[b], _blockStart[b + 1]));
    }

    // Pointers rather than array indexing: the substitutions are bound by instructions per entry and memory traffic,
    // and the three bounds checks per entry were a third of the instructions; rows of a block that reach into the
    // block before it (its first rows) take the checked path, the rest skip the per-entry block test. Full-stencil
    // rows (StencilRows) read no column indices; a 5×5 row takes four of each run's entries in one vector step.
    // Lemur 12 MP, finest level: 31 → 13–14 ms per solve (forward and backward). Rows of a pattern with long runs of
    // consecutive columns (ColumnRuns: the candidate levels) go a run at a time, four entries per vector step.
    private unsafe void SolveBlock(double[] r, double[] z, int first, int end)
    {
        bool vector = Avx.IsSupported;
        var columnRuns = _columnRuns;
        fixed (int* rowRunStart = columnRuns?.RowRunStart, runColumn = columnRuns?.Column, runLength = columnRuns?.Length)
        fixed (int* rowStart = _rowStart, columns = _columns, runs = _runs)
        fixed (float* l = _factor)
        fixed (double* inverse = _inverseDiagonal, rp = r, zp = z)
        {
            for (int i = first; i < end; i++)
            {
                int start = rowStart[i], diagonal = rowStart[i + 1] - 1;
                double sum = rp[i];
                int c0 = runs[2 * i], c1 = runs[2 * i + 1];
                if (c0 >= first && c1 < 0)
                {
                    sum -= l[start] * zp[c0] + l[start + 1] * zp[c0 + 1] + l[start + 2] * zp[c0 + 2];
                    sum -= l[start + 3] * zp[i - 1];
                }
                else if (vector && c0 >= first)
                {
                    var products = Avx.Add(
                        Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(l + start)), Avx.LoadVector256(zp + c0)),
                        Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(l + start + 5)), Avx.LoadVector256(zp + c1)));
                    sum -= StencilRows.Sum(products) + l[start + 4] * zp[c0 + 4] + l[start + 9] * zp[c1 + 4] + l[start + 10] * zp[i - 2];
                    sum -= l[start + 11] * zp[i - 1];
                }
                else if (rowRunStart is not null)
                {
                    // A run's columns in the block before this one are couplings the factor dropped: skipped.
                    int e = start;
                    for (int q = rowRunStart[i]; q < rowRunStart[i + 1]; q++)
                    {
                        int c = runColumn[q], length = runLength[q], skip = Math.Clamp(first - c, 0, length);
                        if (skip < length) sum -= ColumnRuns.Dot(l + e + skip, zp + c + skip, length - skip);
                        e += length;
                    }
                }
                else if (start == diagonal || columns[start] >= first)
                {
                    for (int e = start; e < diagonal; e++) sum -= l[e] * zp[columns[e]];
                }
                else
                {
                    for (int e = start; e < diagonal; e++)
                    {
                        int c = columns[e];
                        if (c >= first) sum -= l[e] * zp[c];
                    }
                }
                zp[i] = sum * inverse[i];
            }
            for (int i = end - 1; i >= first; i--)
            {
                int start = rowStart[i], diagonal = rowStart[i + 1] - 1;
                double value = zp[i] * inverse[i];
                zp[i] = value;
                int c0 = runs[2 * i], c1 = runs[2 * i + 1];
                if (c0 >= first && c1 < 0)
                {
                    zp[i - 1] -= l[start + 3] * value;
                    zp[c0] -= l[start] * value;
                    zp[c0 + 1] -= l[start + 1] * value;
                    zp[c0 + 2] -= l[start + 2] * value;
                }
                else if (vector && c0 >= first)
                {
                    var broadcast = Vector256.Create(value);
                    zp[i - 1] -= l[start + 11] * value;
                    zp[i - 2] -= l[start + 10] * value;
                    Avx.Store(zp + c1, Avx.Subtract(Avx.LoadVector256(zp + c1), Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(l + start + 5)), broadcast)));
                    zp[c1 + 4] -= l[start + 9] * value;
                    Avx.Store(zp + c0, Avx.Subtract(Avx.LoadVector256(zp + c0), Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(l + start)), broadcast)));
                    zp[c0 + 4] -= l[start + 4] * value;
                }
                else if (rowRunStart is not null)
                {
                    int e = start;
                    for (int q = rowRunStart[i]; q < rowRunStart[i + 1]; q++)
                    {
                        int c = runColumn[q], length = runLength[q], skip = Math.Clamp(first - c, 0, length);
                        if (skip < length) ColumnRuns.AddScaled(l + e + skip, zp + c + skip, length - skip, -value);
                        e += length;
                    }
                }
                else if (start == diagonal || columns[start] >= first)
                {
                    for (int e = start; e < diagonal; e++) zp[columns[e]] -= l[e] * value;
                }
                else
                {
                    for (int e = start; e < diagonal; e++)
                    {
                        int c = columns[e];
                        if (c >= first) zp[c] -= l[e] * value;
                    }
                }
            }
        }
    }
}
