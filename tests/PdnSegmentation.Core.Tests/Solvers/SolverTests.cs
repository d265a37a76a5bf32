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
        // Exact up to the factor's single-precision storage.
        for (int i = 0; i < 50; i++) Assert.Equal(x[i], z[i], 1e-5);
        Assert.Equal(0, ic.Shift);
    }

    [Fact]
    public void CgsLanczosEstimateOfTheLargestPreconditionedEigenvalueIsALowerBoundThatConvergesFast()
    {
        // M⁻¹A for a 12×10 grid Laplacian with its incomplete-Cholesky factor: λ_max from dense matrices (M⁻¹ column by
        // column from the factor's solve; M⁻¹A is similar to a symmetric matrix, so its eigenvalues are real).
        var (rowStart, columns, values) = GridLaplacian(12, 10, 0.01);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        var ic = new IncompleteCholesky(rowStart, columns, values);
        int n = a.Size;
        var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n);
        var unit = new double[n];
        var column = new double[n];
        var product = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(unit);
            unit[j] = 1;
            a.Multiply(unit, column);
            ic.Solve(column, product);
            for (int i = 0; i < n; i++) dense[i, j] = product[i];
        }
        double exact = dense.Evd().EigenValues.Max(e => e.Real);

        double Estimate(int steps, Action<double[], double[]> precondition)
        {
            var random = new Random(3);
            var start = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            return ConjugateGradient.LargestEigenvalue(a.Multiply, precondition, start, new double[n], new double[n], steps);
        }
        Assert.Equal(exact, Estimate(n, ic.Solve), 1e-6 * exact); // the whole space: exact
        double ten = Estimate(10, ic.Solve);
        Assert.True(ten <= exact * (1 + 1e-9), $"a Ritz value {ten} above λ_max {exact}");
        Assert.True(ten >= 0.97 * exact, $"10 steps: {ten} against λ_max {exact}");

        // Ten power steps of the same cost, for comparison: the Rayleigh quotient in A's inner product.
        var rng = new Random(3);
        var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var av = new double[n];
        var sav = new double[n];
        double power = 0;
        for (int step = 0; step < 10; step++)
        {
            a.Multiply(v, av);
            ic.Solve(av, sav);
            double vav = v.Zip(av, (p, q) => p * q).Sum();
            power = sav.Zip(av, (p, q) => p * q).Sum() / vav;
            double norm = Math.Sqrt(sav.Sum(t => t * t));
            for (int i = 0; i < n; i++) v[i] = sav[i] / norm;
        }
        Assert.True(exact - ten < exact - power, $"Lanczos {ten}, power {power}, λ_max {exact}");

        // With the identity as preconditioner it is the Laplacian's own λ_max: 4 + 0.01 + 2cos(π/13) + 2cos(π/11).
        double laplacian = 4.01 + 2 * Math.Cos(Math.PI / 13) + 2 * Math.Cos(Math.PI / 11);
        Assert.Equal(laplacian, Estimate(n, (r, z) => r.AsSpan().CopyTo(z)), 1e-6 * laplacian);
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

    /// <summary>
    /// Lower triangle of the 25-point stencil a matting Laplacian has (every node coupled to its neighbours within
    /// two grid steps), with random negative couplings, on the nodes of a w × h grid that <paramref name="keep"/>
    /// accepts; diagonally dominant by <paramref name="shift"/>. Also each node's grid position.
    /// </summary>
    private static (int[] RowStart, int[] Columns, double[] Values, int[] X, int[] Y) StencilMatrix(int w, int h, double shift, Func<int, int, bool> keep, int seed)
    {
        var random = new Random(seed);
        var index = new int[w * h];
        Array.Fill(index, -1);
        var xs = new List<int>();
        var ys = new List<int>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (keep(x, y)) { index[y * w + x] = xs.Count; xs.Add(x); ys.Add(y); }
        // Symmetric couplings: one random weight per unordered pair, drawn when the later node's row is built.
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        var degree = new double[xs.Count];
        for (int i = 0; i < xs.Count; i++)
        {
            for (int dy = -2; dy <= 0; dy++)
                for (int dx = -2; dx <= 2; dx++)
                {
                    if (dy == 0 && dx >= 0) continue;
                    int nx = xs[i] + dx, ny = ys[i] + dy;
                    if (nx < 0 || nx >= w || ny < 0 || index[ny * w + nx] < 0) continue;
                    int j = index[ny * w + nx];
                    double weight = random.NextDouble() * (Math.Abs(dx) + Math.Abs(dy) <= 1 ? 1 : 0.2);
                    columns.Add(j); values.Add(-weight);
                    degree[i] += weight; degree[j] += weight;
                }
            columns.Add(i); values.Add(double.NaN); // diagonal, filled below
            rowStart.Add(columns.Count);
        }
        for (int i = 0; i < xs.Count; i++) values[rowStart[i + 1] - 1] = degree[i] + shift;
        return (rowStart.ToArray(), columns.ToArray(), values.ToArray(), xs.ToArray(), ys.ToArray());
    }

    [Fact]
    public void TheLowerTriangleProductEqualsTheDenseSymmetricProduct()
    {
        var (rowStart, columns, values, _, _) = StencilMatrix(37, 23, 0.1, (x, y) => (x * 7 + y * 3) % 5 != 0, seed: 3);
        int n = rowStart.Length - 1;
        var dense = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++) { dense[i, columns[e]] = values[e]; dense[columns[e], i] = values[e]; }
        var random = new Random(4);
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = new double[n];
        Array.Fill(y, 123.0); // the product overwrites, it does not accumulate
        var matrix = new SymmetricSparseMatrix(rowStart, columns, values, parallelism: 2);
        for (int repeat = 0; repeat < 2; repeat++) // side buffers are cleared between products
        {
            matrix.Multiply(x, y);
            for (int i = 0; i < n; i++)
            {
                double expected = 0;
                for (int j = 0; j < n; j++) expected += dense[i, j] * x[j];
                Assert.Equal(expected, y[i], 1e-12);
            }
        }
    }

    [Fact]
    public void MultigridPreconditionedCgSolvesWithFarFewerIterationsThanIncompleteCholesky()
    {
        // A nearly singular system (tiny shift) on a 160 × 120 grid with a hole, like a trimap's unknown region:
        // the large-scale error is what incomplete Cholesky is slow on.
        var (rowStart, columns, values, xs, ys) = StencilMatrix(160, 120, 1e-4, (x, y) => (x - 80) * (x - 80) + (y - 60) * (y - 60) > 400, seed: 5);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        int n = a.Size;
        var random = new Random(6);
        var truth = Enumerable.Range(0, n).Select(i => Math.Sin(xs[i] / 20.0) + 0.1 * random.NextDouble()).ToArray();
        var b = new double[n];
        a.Multiply(truth, b);
        var options = new ConjugateGradientOptions { RelativeTolerance = 1e-9, MaxIterations = 5000 };

        var multigrid = new AggregationMultigrid(rowStart, columns, values, xs, ys, a);
        Assert.True(multigrid.LevelCount >= 3, $"{multigrid.LevelCount} levels");
        var x = new double[n];
        var withMultigrid = ConjugateGradient.Solve(a.Multiply, multigrid.Solve, b, x, options);
        Assert.True(withMultigrid.Converged);
        for (int i = 0; i < n; i++) Assert.Equal(truth[i], x[i], 1e-3);

        var ic = new IncompleteCholesky(rowStart, columns, values, blocks: 2);
        var y = new double[n];
        var withIc = ConjugateGradient.Solve(a.Multiply, ic.Solve, b, y, options);
        Assert.True(withIc.Converged);
        Assert.True(withMultigrid.Iterations * 3 < withIc.Iterations, $"multigrid {withMultigrid.Iterations} vs IC {withIc.Iterations}");
    }

    [Fact]
    public void MultigridSetUpHonoursCancellation()
    {
        var (rowStart, columns, values, xs, ys) = StencilMatrix(80, 60, 1e-3, (_, _) => true, seed: 7);
        var candidates = new float[xs.Length * 3];
        for (int u = 0; u < xs.Length; u++) (candidates[3 * u], candidates[3 * u + 1], candidates[3 * u + 2]) = (1, xs[u], ys[u]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => new AggregationMultigrid(rowStart, columns, values, xs, ys, cancellationToken: cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => new AggregationMultigrid(rowStart, columns, values, xs, ys, candidates: candidates, candidateCount: 3,
            cancellationToken: cancelled.Token));
        Assert.True(new AggregationMultigrid(rowStart, columns, values, xs, ys, candidates: candidates, candidateCount: 3).LevelCount > 1);
    }

    [Fact]
    public void MultigridOfASmallSystemIsTheExactInverse()
    {
        // At most CoarsestSize nodes: one level, solved by a dense Cholesky factorisation; CG converges at once.
        var (rowStart, columns, values, xs, ys) = StencilMatrix(30, 20, 1e-3, (_, _) => true, seed: 7);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        var multigrid = new AggregationMultigrid(rowStart, columns, values, xs, ys, a);
        Assert.Equal(1, multigrid.LevelCount);
        var b = Enumerable.Range(0, a.Size).Select(i => Math.Cos(i)).ToArray();
        var x = new double[a.Size];
        var result = ConjugateGradient.Solve(a.Multiply, multigrid.Solve, b, x, new ConjugateGradientOptions { RelativeTolerance = 1e-10 });
        Assert.True(result.Converged);
        Assert.True(result.Iterations <= 2, $"{result.Iterations} iterations");
    }

    /// <summary>Lower triangle of a 9-point stencil (the multigrid's coarse levels) on a full w × h grid, random couplings.</summary>
    private static (int[] RowStart, int[] Columns, double[] Values) NinePointMatrix(int w, int h, int seed)
    {
        var random = new Random(seed);
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        var degree = new double[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                foreach (var (dx, dy) in new[] { (-1, -1), (0, -1), (1, -1), (-1, 0) })
                {
                    int nx = x + dx, ny = y + dy;
                    if (nx < 0 || nx >= w || ny < 0) continue;
                    double weight = random.NextDouble();
                    columns.Add(ny * w + nx); values.Add(-weight);
                    degree[i] += weight; degree[ny * w + nx] += weight;
                }
                columns.Add(i); values.Add(double.NaN);
                rowStart.Add(columns.Count);
            }
        for (int i = 0; i < w * h; i++) values[rowStart[i + 1] - 1] = degree[i] + 0.05;
        return (rowStart.ToArray(), columns.ToArray(), values.ToArray());
    }

    /// <summary>
    /// Lower triangle of a multigrid candidate level on a w × h grid of aggregates: each aggregate carries six unknowns
    /// (every seventh fewer, as where candidates are dependent), numbered aggregate after aggregate in raster order, and
    /// each unknown couples to every unknown of its own and the eight neighbouring aggregates. Rows are long runs of
    /// consecutive columns (<see cref="ColumnRuns"/>). Negative couplings, diagonally dominant: SPD, and its zero fill-in
    /// factor needs no shift.
    /// </summary>
    private static (int[] RowStart, int[] Columns, double[] Values) CandidateLevelMatrix(int w, int h, int seed)
    {
        var random = new Random(seed);
        var first = new int[w * h + 1];
        for (int a = 0; a < w * h; a++) first[a + 1] = first[a] + (a % 7 == 3 ? 1 + a % 5 : 6);
        int n = first[^1];
        var rowStart = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        var degree = new double[n];
        for (int a = 0; a < w * h; a++)
        {
            var (ay, ax) = Math.DivRem(a, w);
            for (int i = first[a]; i < first[a + 1]; i++)
            {
                foreach (var (dx, dy) in new[] { (-1, -1), (0, -1), (1, -1), (-1, 0), (0, 0) })
                {
                    int bx = ax + dx, by = ay + dy;
                    if (bx < 0 || bx >= w || by < 0) continue;
                    int b = by * w + bx;
                    for (int j = first[b]; j < first[b + 1] && j < i; j++)
                    {
                        double weight = random.NextDouble();
                        columns.Add(j); values.Add(-weight);
                        degree[i] += weight; degree[j] += weight;
                    }
                }
                columns.Add(i); values.Add(double.NaN);
                rowStart.Add(columns.Count);
            }
        }
        for (int i = 0; i < n; i++) values[rowStart[i + 1] - 1] = degree[i] + 0.05;
        return (rowStart.ToArray(), columns.ToArray(), values.ToArray());
    }

    public static TheoryData<string> StencilKinds => ["25-point with a hole", "9-point", "candidate level"];

    private static (int[] RowStart, int[] Columns, double[] Values) Stencil(string kind, int height = 29) => kind switch
    {
        "9-point" => NinePointMatrix(41, height, seed: 11),
        "candidate level" => CandidateLevelMatrix(40, height / 5, seed: 15),
        _ => StencilMatrix(41, height, 0.1, (x, y) => (x - 20) * (x - 20) + (y - 14) * (y - 14) > 30, seed: 12) is var m ? (m.RowStart, m.Columns, m.Values) : default,
    };

    [Theory]
    [MemberData(nameof(StencilKinds))]
    public void FullStencilRowsTakeTheFastPathAndGiveTheReferenceProduct(string kind)
    {
        // Most rows are full stencils (read without their column indices, four entries per vector step) or, on a
        // candidate level, runs of consecutive columns (a run at a time); rows at the grid's border and around the hole
        // are not full stencils, and the first rows of each of the product's row chunks reach before it (side buffers;
        // a run may straddle the chunk's start): every kind of row against the plain product of the symmetric matrix.
        // 210 grid rows (42 rows of aggregates), so that the product has several chunks.
        var (rowStart, columns, values) = Stencil(kind, height: 210);
        int n = rowStart.Length - 1;
        Assert.True(n >= 8192, "at least two chunks of the product");
        var runs = StencilRows.Find(rowStart, columns);
        int full = Enumerable.Range(0, n).Count(i => runs[2 * i] >= 0);
        var columnRuns = ColumnRuns.Find(rowStart, columns);
        if (kind == "candidate level")
        {
            Assert.NotNull(columnRuns);
            Assert.Equal(rowStart[n] - n, columnRuns.Length.Sum());
        }
        else
        {
            Assert.InRange(full, n / 2, n - 1);
            Assert.Null(columnRuns); // runs of five at most: the per-entry paths
        }
        var random = new Random(13);
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var expected = new double[n];
        var scale = new double[n];
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                int j = columns[e];
                expected[i] += values[e] * x[j];
                scale[i] += Math.Abs(values[e] * x[j]);
                if (j == i) continue;
                expected[j] += values[e] * x[i];
                scale[j] += Math.Abs(values[e] * x[i]);
            }
        var matrix = new SymmetricSparseMatrix(rowStart, columns, values, parallelism: 2);
        var single = matrix.InSinglePrecision();
        var y = new double[n];
        var ys = new double[n];
        matrix.Multiply(x, y);
        single.Multiply(x, ys);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], y[i], 1e-12);
            Assert.True(Math.Abs(expected[i] - ys[i]) <= 1e-6 * scale[i], $"row {i}: single precision {ys[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(StencilKinds))]
    public void IncompleteCholeskySolveIsTheReferenceFactorsSolve(string kind)
    {
        // The zero fill-in factor computed densely on the same pattern (couplings between blocks dropped), then
        // L Lᵀ z = r by dense substitutions: the sparse solve (fast rows and general rows) must give the same z.
        var (rowStart, columns, values) = Stencil(kind);
        int n = rowStart.Length - 1;
        var random = new Random(14);
        var r = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (int blocks in new[] { 1, 3 })
        {
            var blockStart = Enumerable.Range(0, blocks + 1).Select(b => (int)((long)n * b / blocks)).ToArray();
            int BlockOf(int i) => Array.FindLastIndex(blockStart, s => s <= i);
            var l = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                int diagonal = rowStart[i + 1] - 1;
                double squares = 0;
                for (int e = rowStart[i]; e < diagonal; e++)
                {
                    int k = columns[e];
                    if (BlockOf(k) != BlockOf(i)) continue;
                    double dot = 0;
                    for (int j = 0; j < k; j++) dot += l[i, j] * l[k, j];
                    l[i, k] = (values[e] - dot) / l[k, k];
                    squares += l[i, k] * l[i, k];
                }
                l[i, i] = Math.Sqrt(values[diagonal] - squares);
            }
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                double sum = r[i];
                for (int j = 0; j < i; j++) sum -= l[i, j] * expected[j];
                expected[i] = sum / l[i, i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double sum = expected[i];
                for (int j = i + 1; j < n; j++) sum -= l[j, i] * expected[j];
                expected[i] = sum / l[i, i];
            }
            var ic = new IncompleteCholesky(rowStart, columns, values, blocks);
            Assert.Equal(0, ic.Shift);
            var z = new double[n];
            ic.Solve(r, z);
            var inPlace = (double[])r.Clone();
            ic.Solve(inPlace, inPlace); // the multigrid's damping estimate solves in place
            Assert.Equal(z, inPlace);
            double norm = Math.Sqrt(expected.Sum(v => v * v));
            double error = Math.Sqrt(expected.Zip(z, (a, b) => (a - b) * (a - b)).Sum());
            Assert.True(error <= 1e-5 * norm, $"{blocks} blocks: relative difference {error / norm:E2} (the factor is stored in single precision)");
        }
    }

    [Fact]
    public void CgWithMultigridSolvesAQuarterMillionUnknowns()
    {
        // Above the size where CG's vector steps run in parallel chunks: the solution is still the system's.
        var (rowStart, columns, values, xs, ys) = StencilMatrix(640, 440, 1e-3, (x, y) => (x - 300) * (x - 300) + (y - 200) * (y - 200) > 2500, seed: 15);
        var a = new SymmetricSparseMatrix(rowStart, columns, values);
        int n = a.Size;
        Assert.True(n > 1 << 18, $"{n} unknowns");
        var truth = Enumerable.Range(0, n).Select(i => Math.Sin(xs[i] / 50.0) * Math.Cos(ys[i] / 40.0)).ToArray();
        var b = new double[n];
        a.Multiply(truth, b);
        var multigrid = new AggregationMultigrid(rowStart, columns, values, xs, ys, a);
        var x = new double[n];
        var result = ConjugateGradient.Solve(a.Multiply, multigrid.Solve, b, x, new ConjugateGradientOptions { RelativeTolerance = 1e-9 });
        Assert.True(result.Converged, $"{result.Iterations} iterations, residual {result.RelativeResidual:E2}");
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(truth[i] - x[i]));
        Assert.True(worst < 1e-4, $"largest error {worst:E2}");
    }

    [Fact]
    public void AggregatesAreTheTwoByTwoBlocksNumberedInRasterOrder()
    {
        // Scattered nodes in raster order, with whole grid rows empty (odd and even ones) and blocks with a node in
        // only one of their two rows: each node's aggregate must be its block's rank among the occupied blocks.
        var random = new Random(16);
        var xs = new List<int>();
        var ys = new List<int>();
        for (int y = 0; y < 41; y++)
        {
            if (y % 7 == 3 || y == 10) continue;
            for (int x = 0; x < 57; x++)
                if (random.NextDouble() < 0.3) { xs.Add(x); ys.Add(y); }
        }
        var (aggregate, coarseX, coarseY) = CandidateAggregation.AggregateSquares([.. xs], [.. ys], 2);
        var blocks = xs.Zip(ys, (x, y) => (Y: y >> 1, X: x >> 1)).Distinct().OrderBy(b => b.Y).ThenBy(b => b.X).ToList();
        Assert.Equal(blocks.Count, coarseX.Length);
        for (int c = 0; c < blocks.Count; c++) Assert.Equal(blocks[c], (coarseY[c], coarseX[c]));
        for (int i = 0; i < xs.Count; i++) Assert.Equal(blocks.IndexOf((ys[i] >> 1, xs[i] >> 1)), aggregate[i]);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void CandidateAggregationIsTheGalerkinProductOfAnOrthonormalProlongation(int blockSide)
    {
        // Scattered nodes: aggregates of every size from one node up, so candidates are dropped in the small ones; one
        // candidate repeats another (numerically dependent everywhere, dropped everywhere).
        var (rowStart, columns, values, x, y) = StencilMatrix(23, 19, 0.1, (px, py) => (px * 7 + py * 13) % 5 != 0 && !(px > 15 && py < 6), 3);
        // Six independent candidates, as closed-form's (the transfers take four of an aggregate's per vector step).
        int n = x.Length, c = 7;
        var random = new Random(5);
        var candidates = new float[n * c];
        for (int u = 0; u < n; u++)
        {
            candidates[u * c] = 1;
            for (int l = 1; l < 6; l++) candidates[u * c + l] = (float)random.NextDouble();
            candidates[u * c + 6] = candidates[u * c + 1];
        }
        var nodeFirst = Enumerable.Range(0, n + 1).ToArray();
        var (transfer, coarseSystem) = CandidateAggregation.Coarsen(rowStart, columns, values, nodeFirst, x, y, candidates, c, blockSide);
        int nc = transfer.CoarseSize;
        Assert.InRange(nc, n / (blockSide * blockSide), 6 * n / (blockSide * blockSide) + 60);
        var p = new double[n, nc];
        for (int u = 0; u < n; u++)
        {
            int a = transfer.Aggregate[u];
            Assert.Equal((y[u] / blockSide, x[u] / blockSide), (coarseSystem.NodeY[a], coarseSystem.NodeX[a]));
            Assert.InRange(transfer.First[a + 1] - transfer.First[a], 1, 6);
            for (int k = 0; k < transfer.First[a + 1] - transfer.First[a]; k++) p[u, transfer.First[a] + k] = transfer.Weights[u * c + k];
        }
        var dense = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++) { dense[i, columns[e]] = values[e]; dense[columns[e], i] = values[e]; }
        var coarse = new double[nc, nc];
        for (int i = 0; i < nc; i++)
        {
            for (int e = coarseSystem.RowStart[i]; e < coarseSystem.RowStart[i + 1]; e++)
            {
                Assert.True(coarseSystem.Columns[e] <= i && (e == coarseSystem.RowStart[i] || coarseSystem.Columns[e] > coarseSystem.Columns[e - 1]));
                coarse[i, coarseSystem.Columns[e]] = coarseSystem.Lower[e];
                coarse[coarseSystem.Columns[e], i] = coarseSystem.Lower[e];
            }
            Assert.Equal(i, coarseSystem.Columns[coarseSystem.RowStart[i + 1] - 1]);
        }
        var ap = new double[n, nc];
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
                if (dense[u, v] != 0)
                    for (int j = 0; j < nc; j++) ap[u, j] += dense[u, v] * p[v, j];
        for (int i = 0; i < nc; i++)
            for (int j = 0; j < nc; j++)
            {
                double gram = 0, galerkin = 0;
                for (int u = 0; u < n; u++) { gram += p[u, i] * p[u, j]; galerkin += p[u, i] * ap[u, j]; }
                Assert.Equal(i == j ? 1 : 0, gram, 1e-6); // single-precision weights
                Assert.Equal(galerkin, coarse[i, j], 1e-10);
            }
        // P times the coarse candidates gives the fine ones back (to single precision).
        for (int u = 0; u < n; u++)
        {
            int a = transfer.Aggregate[u];
            for (int l = 0; l < c; l++)
            {
                double sum = 0;
                for (int k = 0; k < transfer.First[a + 1] - transfer.First[a]; k++)
                    sum += p[u, transfer.First[a] + k] * coarseSystem.Candidates[(transfer.First[a] + k) * c + l];
                Assert.Equal(candidates[u * c + l], sum, 1e-5);
            }
        }
        // Restriction and prolongation are Pᵀ and P.
        var fine = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var restricted = new double[nc];
        transfer.Restrict(fine, restricted);
        var coarseVector = Enumerable.Range(0, nc).Select(_ => random.NextDouble()).ToArray();
        var prolonged = new double[n];
        transfer.AddProlonged(prolonged, coarseVector, 2);
        for (int j = 0; j < nc; j++) Assert.Equal(Enumerable.Range(0, n).Sum(u => p[u, j] * fine[u]), restricted[j], 1e-10);
        for (int u = 0; u < n; u++) Assert.Equal(2 * Enumerable.Range(0, nc).Sum(j => p[u, j] * coarseVector[j]), prolonged[u], 1e-10);
    }
}
