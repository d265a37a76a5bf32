using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PdnSegmentation.Solvers;

/// <summary>
/// Which rows of a lower-triangle CSR pattern are a full 5×5 grid stencil (the matting Laplacian's interior): five
/// consecutive unknowns two grid rows up, five one row up, and the two just before the row itself — or a full 3×3 one
/// (the multigrid's coarse levels). For those rows the products and substitutions read the first column of each run
/// from here instead of the column indices, and take four entries of a run of five in one vector step. Why: the sparse
/// products and triangular solves of matting CG are bound by memory traffic and by instructions per entry; the column
/// indices were a third of the traffic (half for the single-precision factor). Costs two integers per row.
/// </summary>
internal static class StencilRows
{
    /// <summary>
    /// runs[2i], runs[2i + 1]: for a full 5×5 row, the first columns of its two runs of five; for a full 3×3 row (the
    /// multigrid's coarse levels: three consecutive unknowns one grid row up and the one just before), the first
    /// column of its run of three and −1; otherwise −1, −1.
    /// </summary>
    public static int[] Find(int[] rowStart, int[] columns)
    {
        int n = rowStart.Length - 1;
        var runs = new int[2 * n];
        for (int i = 0; i < n; i++)
        {
            int start = rowStart[i], diagonal = rowStart[i + 1] - 1;
            bool five = diagonal - start == 12
                && columns[start + 4] - columns[start] == 4 && columns[start + 9] - columns[start + 5] == 4
                && columns[start + 10] == i - 2 && columns[start + 11] == i - 1 && columns[diagonal] == i;
            bool three = diagonal - start == 4 && columns[start + 2] - columns[start] == 2 && columns[start + 3] == i - 1 && columns[diagonal] == i;
            runs[2 * i] = five || three ? columns[start] : -1;
            runs[2 * i + 1] = five ? columns[start + 5] : -1;
        }
        return runs;
    }

    /// <summary>The four lanes added (a run's four products).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector256<double> v)
    {
        var half = Sse2.Add(v.GetLower(), v.GetUpper());
        return half.ToScalar() + half.GetElement(1);
    }
}
