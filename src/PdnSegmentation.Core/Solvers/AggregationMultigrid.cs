using MathNet.Numerics.LinearAlgebra;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A multigrid V-cycle as a conjugate-gradient preconditioner for a sparse SPD matrix whose unknowns sit on a
/// 2-D grid (a trimap's unknown pixels). Coarse levels aggregate the nodes in square grid blocks with a prolongation
/// P that holds A's near-null-space candidates orthonormalised on each aggregate (<see cref="CandidateAggregation"/>;
/// without candidates the constants: P is piecewise constant) and the Galerkin operator A_c = Pᵀ A P; each level is smoothed by a block incomplete
/// Cholesky factorisation (the same preconditioner plain CG used), before and after the coarse correction, so the
/// cycle is symmetric — and scaled where the factor overshoots, so that it is positive definite (<see cref="SmootherLimit"/>). The coarsest level (at most <see cref="CoarsestSize"/> nodes) is solved exactly by a dense
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
    private bool _damped; // the smoothers have been damped (EnsureDamped), or are to stay as factored

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
        : this(rowStart, columns, lower, x, y, matrix, smootherBlocks, parallelism, candidates, candidateCount, cancellationToken, dampSmoothers: true) { }

    /// <param name="dampSmoothers">False leaves each smoother as its factor came (tests: what the damping corrects).</param>
    internal AggregationMultigrid(int[] rowStart, int[] columns, double[] lower, int[] x, int[] y, SymmetricSparseMatrix? matrix,
        int smootherBlocks, int parallelism, float[]? candidates, int candidateCount, CancellationToken cancellationToken, bool dampSmoothers)
    {
        _damped = !dampSmoothers;
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

    /// <summary>
    /// The largest λ_max(S A) a level's smoother S may have (estimated, see <see cref="DampSmoother"/>). The symmetric
    /// cycle applies S before and after the coarse correction, together 2S − S A S = S(2S⁻¹ − A)S, which is positive
    /// definite only while λ_max(S A) &lt; 2: beyond it the cycle is indefinite and CG, which needs a positive definite
    /// preconditioner, converges erratically. A zero fill-in factor of the matting Laplacian (not an M-matrix; the factor
    /// often needs a shift to exist at all) can overshoot A badly: on the lemur enlarged to 1–5 MP λ_max(S A) reached
    /// 4.1 on the finest level (2 MP), 6.6 and 9.6 on levels 2 and 3 (1 MP), 31 on level 2 (2 MP); CG took 28 / 64 / 52 /
    /// 42 / 19 iterations at 1 / 2 / 3 / 4 / 5 MP, the first CG residual already had rᵀ M⁻¹ r &lt; 0. Damped to this
    /// limit: 16 / 22 / 23 / 20 / 19 (and 26 → 30 at 12 MP, whose finest smoother, at 3.3, was overshooting too; the
    /// alphamatting GT04 region at 4 / 12 MP 123 / 50 → 32 / 30). Other limits on the raised estimate: 1.9 gave 132
    /// iterations over 1–5 and 12 MP, 2.2 128, 2.6 126 (no longer positive definite by the estimate); 2 keeps the cycle
    /// positive definite with the estimate's margin. Raising the factor's shift instead was worse (24–50 iterations).
    /// </summary>
    private const double SmootherLimit = 2;
    /// <summary>
    /// Steps of the estimate (each one product and one smoother solve). On the 397 levels of 100 problems (the GrabCut
    /// set's lasso trimaps and band trimaps of Berkeley's masks, enlarged to 1 MP) 10 Lanczos steps came within 2.7 % of
    /// 40 steps' value where that exceeds 2, and within 11 % elsewhere. 10 power steps (the estimate before) left the
    /// cycle indefinite on 6 of 134 such problems, Lanczos on none.
    /// </summary>
    private const int DampingSteps = 10;
    /// <summary>
    /// The estimate is a lower bound, so it is raised by this factor before the comparison with <see cref="SmootherLimit"/>:
    /// on the 397 levels above, the smallest factor with which every level ends with its 40-step value within 2 (1.0
    /// left 44 levels above, up to 2.085; 1.03 one). CG iterations summed over the 134 problems (adding band trimaps of
    /// the GrabCut set's masks): 3 459 at 1.1 (power steps: 3 456), 3 394 at 1.05, 3 308 at 1.0; the lemur at 1–5 and
    /// 12 MP and GT04 (trimap1) at 4 and 12 MP within two iterations of each other.
    /// </summary>
    private const double EstimateMargin = 1.05;

    /// <summary>
    /// Scales the level's smoother so that its estimated λ_max(S A), raised by <see cref="EstimateMargin"/>, stays within
    /// <see cref="SmootherLimit"/>; scaling S scales every eigenvalue of S A alike.
    /// </summary>
    private static void DampSmoother(Level level, double[] spare)
    {
        double estimate = EstimateMargin * LargestSmoothingEigenvalue(level, spare, DampingSteps);
        if (estimate > SmootherLimit) level.Smoother.Scale(SmootherLimit / estimate);
    }

    /// <summary>
    /// λ_max(S A) of a level by Lanczos steps (<see cref="ConjugateGradient.LargestEigenvalue"/>) from a fixed start
    /// (deterministic), in the level's residual and scratch vectors and a <paramref name="spare"/> one of its size that
    /// the cycle fills afterwards anyway (no vector of its own: at 12 MP a finest-level one raised the peak by 14 MB).
    /// </summary>
    private static double LargestSmoothingEigenvalue(Level level, double[] spare, int steps)
    {
        int n = level.Residual.Length;
        var start = level.Residual;
        var random = new Random(7);
        for (int i = 0; i < n; i++) start[i] = random.NextDouble() - 0.5;
        return ConjugateGradient.LargestEigenvalue(level.Matrix.Multiply, level.Smoother.Solve, start, level.Scratch, spare, steps);
    }

    /// <summary>Each level's λ_max(S A) as the cycle's smoothers now stand, by <paramref name="steps"/> Lanczos steps (tests).</summary>
    internal double[] SmoothingEigenvalues(int steps)
    {
        if (_levels.Count == 0) return [];
        EnsureDamped(new double[_levels[0].Residual.Length]);
        return _levels.Select(level => LargestSmoothingEigenvalue(level, new double[level.Residual.Length], steps)).ToArray();
    }

    /// <summary>z = M⁻¹ r by one V-cycle (no allocation when there are coarse levels).</summary>
    public void Solve(double[] r, double[] z)
    {
        if (!_damped) EnsureDamped(ReferenceEquals(r, z) ? new double[z.Length] : z);
        Cycle(0, r, z);
    }

    /// <summary>A work vector of level <paramref name="depth"/>'s size that the cycle overwrites anyway: the finest level's is the caller's output, a coarse level's the right-hand side the level above restricts into.</summary>
    private double[] Spare(int depth, double[] finest) => depth == 0 ? finest : _coarseRhs[depth - 1];

    /// <summary>
    /// Damps the smoothers (<see cref="DampSmoother"/>) before the first cycle rather than in the set-up: the estimate's
    /// steps touch every level's work vectors, which during the set-up added to its peak (lemur 12 MP: 870 → 894 MB)
    /// instead of coming after the collection that follows it.
    /// </summary>
    private void EnsureDamped(double[] finestSpare)
    {
        if (_damped) return;
        for (int depth = 0; depth < _levels.Count; depth++) DampSmoother(_levels[depth], Spare(depth, finestSpare));
        _damped = true;
    }

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
