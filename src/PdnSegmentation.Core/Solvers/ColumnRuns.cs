using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A lower-triangle CSR pattern's off-diagonal entries as runs of consecutive columns: each row's runs in order, a run
/// being its first column and its length (its entries are the row's next ones). Built only for patterns whose runs are
/// long: the multigrid's candidate levels, where a coarse node couples to all six candidates of each neighbouring
/// aggregate and neighbouring aggregates are numbered consecutively (lemur 12 MP, level 1: two runs per row of 12.7
/// entries on average). Their products and substitutions then take four entries per vector step and read two integers
/// per run instead of one per entry. Why: there every entry was a scalar multiply-add chained through one sum, with its
/// column index read; level 1's product took 14.5 ms and one smoother solve 25.7 ms at 12 MP, more than the finest
/// level's (9.8 and 16.7 ms) with a sixth of the unknowns. Costs three integers per run (one row start, column, length).
/// </summary>
internal sealed class ColumnRuns
{
    /// <summary>Patterns with fewer entries per run than this keep the per-entry paths (the matting Laplacian: about 4).</summary>
    public const double MinimumEntriesPerRun = 6;

    private ColumnRuns(int[] rowRunStart, int[] column, int[] length)
    {
        RowRunStart = rowRunStart;
        Column = column;
        Length = length;
    }

    /// <summary>Row i's runs are RowRunStart[i] .. RowRunStart[i + 1] − 1.</summary>
    public int[] RowRunStart { get; }
    public int[] Column { get; }
    public int[] Length { get; }

    /// <summary>The pattern's runs, or null when they average fewer than <see cref="MinimumEntriesPerRun"/> entries.</summary>
    public static ColumnRuns? Find(int[] rowStart, int[] columns)
    {
        int n = rowStart.Length - 1;
        long runs = 0, entries = 0;
        for (int i = 0; i < n; i++)
        {
            int end = rowStart[i + 1] - 1; // the diagonal is not part of any run
            entries += end - rowStart[i];
            for (int e = rowStart[i]; e < end; e++)
                if (e == rowStart[i] || columns[e] != columns[e - 1] + 1) runs++;
        }
        if (runs == 0 || entries < MinimumEntriesPerRun * runs) return null;
        var rowRunStart = new int[n + 1];
        var column = new int[runs];
        var length = new int[runs];
        int r = 0;
        for (int i = 0; i < n; i++)
        {
            rowRunStart[i] = r;
            int end = rowStart[i + 1] - 1;
            for (int e = rowStart[i]; e < end; e++)
            {
                if (e == rowStart[i] || columns[e] != columns[e - 1] + 1) column[r++] = columns[e];
                length[r - 1]++;
            }
        }
        rowRunStart[n] = r;
        return new ColumnRuns(rowRunStart, column, length);
    }

    /// <summary>Σ values[k] · x[column + k] over one run, four entries per vector step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe double Dot<T>(T* values, double* x, int length) where T : unmanaged
    {
        int k = 0;
        double sum = 0;
        if (Avx.IsSupported && length >= 4)
        {
            var accumulator = Vector256<double>.Zero;
            for (; k <= length - 4; k += 4) accumulator = Avx.Add(accumulator, Avx.Multiply(SymmetricSparseMatrix.Values4(values + k), Avx.LoadVector256(x + k)));
            sum = StencilRows.Sum(accumulator);
        }
        for (; k < length; k++) sum += SymmetricSparseMatrix.Value(values + k) * x[k];
        return sum;
    }

    /// <summary>
    /// Both halves of a symmetric product over one run of a lower-triangle row i: returns Σ values[k] · x[column + k] (row
    /// i's sum) and adds values[k] · x_i to y[column + k] (the mirrored upper entries), reading each value once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe double DotAndAddScaled<T>(T* values, double* x, double* y, int length, double xi) where T : unmanaged
    {
        int k = 0;
        double sum = 0;
        if (Avx.IsSupported && length >= 4)
        {
            var accumulator = Vector256<double>.Zero;
            var broadcast = Vector256.Create(xi);
            for (; k <= length - 4; k += 4)
            {
                var v = SymmetricSparseMatrix.Values4(values + k);
                accumulator = Avx.Add(accumulator, Avx.Multiply(v, Avx.LoadVector256(x + k)));
                Avx.Store(y + k, Avx.Add(Avx.LoadVector256(y + k), Avx.Multiply(v, broadcast)));
            }
            sum = StencilRows.Sum(accumulator);
        }
        for (; k < length; k++)
        {
            double v = SymmetricSparseMatrix.Value(values + k);
            sum += v * x[k];
            y[k] += v * xi;
        }
        return sum;
    }

    /// <summary>y[column + k] += scale · values[k] over one run, four entries per vector step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddScaled<T>(T* values, double* y, int length, double scale) where T : unmanaged
    {
        int k = 0;
        if (Avx.IsSupported)
        {
            var broadcast = Vector256.Create(scale);
            for (; k <= length - 4; k += 4) Avx.Store(y + k, Avx.Add(Avx.LoadVector256(y + k), Avx.Multiply(SymmetricSparseMatrix.Values4(values + k), broadcast)));
        }
        for (; k < length; k++) y[k] += SymmetricSparseMatrix.Value(values + k) * scale;
    }
}
