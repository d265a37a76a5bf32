using MathNet.Numerics.LinearAlgebra;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A multigrid V-cycle as a conjugate-gradient preconditioner for a sparse SPD matrix whose unknowns sit on a
/// 2-D grid (a trimap's unknown pixels). Coarse levels aggregate the nodes in square grid blocks with a prolongation
/// P that holds A's near-null-space candidates orthonormalised on each aggregate (<see cref="CandidateAggregation"/>;
/// without candidates the constants: P is piecewise constant) and the Galerkin operator A_c = Pᵀ A P; each level is smoothed by a block incomplete
/// Cholesky factorisation (the same preconditioner plain CG used), before and after the coarse correction, so the
/// cycle is symmetric. The coarsest level (at most <see cref="CoarsestSize"/> nodes) is solved exactly by a dense
/// Cholesky factorisation (MathNet).
/// <para>
/// Why: incomplete Cholesky only sees a pixel's neighbours, so CG needs a number of iterations that grows with
/// the distances across the unknown region (2 551 at 12 MP). The coarse levels carry the large-scale error in a
/// few steps. Aggregation rather than geometric coarsening of the image keeps the coarse operators exact
/// projections of the fine one, whatever the trimap's shape: no coarse image or trimap is ever built.
/// </para>
/// </summary>
public sealed class AggregationMultigrid
{
    public const int CoarsestSize = 1200;

    /// <summary>
    /// With several candidates, the first aggregates are 5×5 pixels and every later one 2×2 nodes: at most 6 coarse unknowns per
    /// 25 pixels, then per 24 coarse unknowns. Measured (closed-form, 6 candidates): 8×8 pixels made the hierarchy
    /// cheapest but lost its grip on fine hair (alphamatting GT10, trimap1: 173 iterations, no better than incomplete
    /// Cholesky alone; 6×6: 125; 5×5: 47; 4×4: 40). 4×4 is the steadiest (scribbles on GrabCut 106024 at 0.15 MP: 46
    /// iterations against 5×5's 151; the lemur at 4 MP 17 against 42), but its first coarse level is nearly as large as
    /// the finest (37 % of the unknowns, two thirds of the entries): the 24 MP Refine Matte effect took 27 s and 3.1 GB
    /// against 21 s and 2.8 GB. With the constants alone, every aggregate is 2×2 (a coarsening by 4, as the candidates' is).
    /// </summary>
    private const int FirstCandidateAggregateSide = 5, AggregateSide = 2;

    private sealed class Level
    {
        public required SymmetricSparseMatrix Matrix;
        public required IncompleteCholesky Smoother;
        public required CandidateAggregation.Transfer Transfer; // to and from the next coarser level
        public required double[] Residual, Scratch; // Scratch: A z, then the post-smoother's correction
    }

    private readonly List<Level> _levels = [];
    private readonly MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> _coarsest;
    private readonly double[][] _coarseRhs;   // right-hand side of each level below the finest
    private readonly double[][] _coarseSolution;
    private readonly Vector<double>? _coarsestRhs, _coarsestSolution; // views of the last level's arrays

    /// <summary>Levels including the finest and the coarsest.</summary>
    public int LevelCount => _levels.Count + 1;

    /// <param name="rowStart">Lower triangle of A in CSR, rows ascending, columns ascending, diagonal last.</param>
    /// <param name="x">Grid column of each node; nodes must be in raster order (by y, then x).</param>
    /// <param name="y">Grid row of each node.</param>
    /// <param name="matrix">A itself when the caller has it (shared, not copied); null builds it.</param>
    /// <param name="candidates">
    /// Near-null-space vectors of A, unknown × <paramref name="candidateCount"/> (see <see cref="CandidateAggregation"/>);
    /// null: the constants alone.
    /// </param>
    /// <param name="cancellationToken">Checked before each level is built.</param>
    public AggregationMultigrid(int[] rowStart, int[] columns, double[] lower, int[] x, int[] y, SymmetricSparseMatrix? matrix = null,
        int smootherBlocks = 2, int parallelism = 0, float[]? candidates = null, int candidateCount = 0, CancellationToken cancellationToken = default)
    {
        int n = rowStart.Length - 1;
        if (x.Length != n || y.Length != n) throw new ArgumentException("One grid position per node is needed.");
        if (candidates is not null && (candidateCount < 1 || candidates.Length != (long)n * candidateCount))
            throw new ArgumentException("Candidates must hold candidateCount values per unknown.", nameof(candidates));
        int firstSide = candidates is null ? AggregateSide : FirstCandidateAggregateSide;
        if (candidates is null) (candidates, candidateCount) = (Enumerable.Repeat(1f, n).ToArray(), 1);
        var coarseRhs = new List<double[]>();
        var coarseSolution = new List<double[]>();
        var nodeFirst = Enumerable.Range(0, n + 1).ToArray();
        while (n > CoarsestSize)
        {
            cancellationToken.ThrowIfCancellationRequested(); // a level's set-up takes up to 2 s at 24 MP
            var (transfer, coarse) = CandidateAggregation.Coarsen(rowStart, columns, lower, nodeFirst, x, y, candidates, candidateCount,
                _levels.Count == 0 ? firstSide : AggregateSide);
            if (transfer.CoarseSize > n * 0.9) break; // nodes too scattered to coarsen further
            var exact = _levels.Count == 0 && matrix is not null ? matrix : new SymmetricSparseMatrix(rowStart, columns, lower, parallelism);
            // The cycle's own products on single-precision values: a preconditioner only has to be close. The finest
            // level with several candidates reuses CG's double-precision matrix instead: with a few dozen iterations the
            // single copy's saving (about 1.5 ms per product at 12 MP) is worth less than its memory (80 MB at 12 MP, 124 at 24).
            var cycleMatrix = candidateCount > 1 && _levels.Count == 0 && matrix is not null ? matrix : exact.InSinglePrecision();
            _levels.Add(new Level
            {
                Matrix = cycleMatrix,
                Smoother = new IncompleteCholesky(rowStart, columns, lower, n >= 4 * CoarsestSize ? smootherBlocks : 1, exact.StencilRuns, exact.ColumnRuns),
                Transfer = transfer,
                Residual = new double[n], Scratch = new double[n],
            });
            (rowStart, columns, lower) = (coarse.RowStart, coarse.Columns, coarse.Lower);
            (x, y, nodeFirst, candidates, n) = (coarse.NodeX, coarse.NodeY, coarse.NodeFirst, coarse.Candidates, transfer.CoarseSize);
            coarseRhs.Add(new double[n]);
            coarseSolution.Add(new double[n]);
        }
        var dense = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                dense[i, columns[e]] = lower[e];
                dense[columns[e], i] = lower[e];
            }
        _coarsest = dense.Cholesky();
        _coarseRhs = [.. coarseRhs];
        _coarseSolution = [.. coarseSolution];
        if (_levels.Count > 0)
        {
            _coarsestRhs = Vector<double>.Build.Dense(_coarseRhs[^1]);
            _coarsestSolution = Vector<double>.Build.Dense(_coarseSolution[^1]);
        }
    }

    /// <summary>z = M⁻¹ r by one V-cycle (no allocation when there are coarse levels).</summary>
    public void Solve(double[] r, double[] z) => Cycle(0, r, z);

    private void Cycle(int depth, double[] r, double[] z)
    {
        if (depth == _levels.Count)
        {
            // Dense wrappers share the arrays; the factorisation solves into z without a copy.
            if (_coarsestRhs is not null) _coarsest.Solve(_coarsestRhs, _coarsestSolution!);
            else _coarsest.Solve(Vector<double>.Build.Dense(r), Vector<double>.Build.Dense(z));
            return;
        }
        var level = _levels[depth];
        var residual = level.Residual;
        var scratch = level.Scratch;
        // Pre-smoothing from zero, then the residual.
        level.Smoother.Solve(r, z);
        level.Matrix.Multiply(z, scratch);
        ParallelVectors.Difference(residual, r, scratch);
        // Coarse correction: restrict (Pᵀ), solve, prolong (P).
        var coarseR = _coarseRhs[depth];
        var coarseZ = _coarseSolution[depth];
        level.Transfer.Restrict(residual, coarseR);
        Cycle(depth + 1, coarseR, coarseZ);
        level.Transfer.AddProlonged(z, coarseZ, OverCorrection);
        // Post-smoothing of what is left.
        level.Matrix.Multiply(z, scratch);
        ParallelVectors.Difference(residual, r, scratch);
        level.Smoother.Solve(residual, scratch);
        ParallelVectors.Add(z, scratch);
    }

    /// <summary>
    /// Scale of the coarse correction. Piecewise constant aggregates under-estimate smooth errors; scaling by up to 2
    /// keeps the cycle positive definite and compensates (Vaněk; Notay). Lemur at 1 and 4 MP: 1 → 75/98 iterations
    /// at 1.5–2.3 against 103/156 unscaled; flat in between. Unsmoothed candidate aggregates the same: lemur 1 / 4 /
    /// 12 MP 35 / 57 / 45 iterations at 1.0, 28 / 51 / 31 at 1.4, 28 / 42 / 26 at 1.7.
    /// </summary>
    private const double OverCorrection = 1.7;
}
