using PdnSegmentation.Solvers;

namespace PdnSegmentation.Tests.Solvers;

public class SolverTests
{
    /// <summary>Lower triangle (CSR, diagonal last) of the 2-D 5-point Laplacian plus a diagonal shift.</summary>
    private static (int[] RowStart, int[] Columns, double[] Values) GridLaplacian(int w, int h, double shift)
    {
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (y > 0) { columns.Add(i - w); values.Add(-1); }
                if (x > 0) { columns.Add(i - 1); values.Add(-1); }
                columns.Add(i); values.Add(4 + shift);
                rowStart.Add(columns.Count);
            }
        return (rowStart.ToArray(), columns.ToArray(), values.ToArray());
    }

    [Fact]
    public void IncompleteCholeskyOfATridiagonalMatrixIsExact()
    {
        // Zero fill-in loses nothing when the factor has no fill: a 1-D grid.
        var (rowStart, columns, values) = GridLaplacian(50, 1, 0.5);
        var ic = new IncompleteCholesky(rowStart, columns, values);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        var random = new Random(1);
        var x = Enumerable.Range(0, 50).Select(_ => random.NextDouble()).ToArray();
        var b = new double[50];
        a.Multiply(x, b);
        var z = new double[50];
        ic.Solve(b, z);
        for (int i = 0; i < 50; i++) Assert.Equal(x[i], z[i], 1e-9);
        Assert.Equal(0, ic.Shift);
    }

    [Fact]
    public void PreconditionedCgSolvesAGridSystemFasterThanJacobi()
    {
        var (rowStart, columns, values) = GridLaplacian(40, 30, 0.01);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        int n = a.Size;
        var random = new Random(2);
        var truth = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var b = new double[n];
        a.Multiply(truth, b);
        var options = new ConjugateGradientOptions { RelativeTolerance = 1e-6 };

        var ic = new IncompleteCholesky(rowStart, columns, values);
        var x = new double[n];
        var withIc = ConjugateGradient.Solve(a.Multiply, ic.Solve, b, x, options);
        Assert.True(withIc.Converged);
        for (int i = 0; i < n; i++) Assert.Equal(truth[i], x[i], 1e-4);

        // Block-Jacobi IC (blocks solved in parallel) still solves it, with at most a few more iterations.
        var blocked = new IncompleteCholesky(rowStart, columns, values, blocks: 4);
        var xb = new double[n];
        var withBlocks = ConjugateGradient.Solve(a.Multiply, blocked.Solve, b, xb, options);
        Assert.True(withBlocks.Converged);
        for (int i = 0; i < n; i++) Assert.Equal(truth[i], xb[i], 1e-4);

        var y = new double[n];
        var withJacobi = ConjugateGradient.Solve(a.Multiply, (r, z) => { for (int i = 0; i < n; i++) z[i] = r[i] / (4.01); }, b, y, options);
        Assert.True(withJacobi.Converged);
        Assert.True(withIc.Iterations < withJacobi.Iterations, $"IC {withIc.Iterations} vs Jacobi {withJacobi.Iterations}");
        Assert.True(withBlocks.Iterations < withJacobi.Iterations, $"block IC {withBlocks.Iterations} vs Jacobi {withJacobi.Iterations}");
    }
}
