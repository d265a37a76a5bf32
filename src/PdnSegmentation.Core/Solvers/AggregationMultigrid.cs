using MathNet.Numerics.LinearAlgebra;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Solvers;

/// <summary>
/// A multigrid V-cycle as a conjugate-gradient preconditioner for a sparse SPD matrix whose unknowns sit on a
/// 2-D grid (a trimap's unknown pixels). Coarse levels aggregate the nodes in square grid blocks with a prolongation
/// P — piecewise constant on 2×2 blocks, or, given near-null-space candidates, the candidates orthonormalised on each
/// aggregate (<see cref="CandidateAggregation"/>) — and the Galerkin operator A_c = Pᵀ A P; each level is smoothed by a block incomplete
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
    /// With candidates, the first aggregates are 5×5 pixels and every later one 2×2 nodes: at most 6 coarse unknowns per
    /// 25 pixels, then per 24 coarse unknowns. Measured (closed-form, 6 candidates): 8×8 pixels made the hierarchy
    /// cheapest but lost its grip on fine hair (alphamatting GT10, trimap1: 173 iterations, no better than incomplete
    /// Cholesky alone; 6×6: 125; 5×5: 47; 4×4: 40). 4×4 is the steadiest (scribbles on GrabCut 106024 at 0.15 MP: 46
    /// iterations against 5×5's 151; the lemur at 4 MP 17 against 42), but its first coarse level is nearly as large as
    /// the finest (37 % of the unknowns, two thirds of the entries): the 24 MP Refine Matte effect took 27 s and 3.1 GB
    /// against 21 s and 2.8 GB.
    /// </summary>
    private const int FirstAggregateSide = 5, AggregateSide = 2;

    private sealed class Level
    {
        public required SymmetricSparseMatrix Matrix;
        public required IncompleteCholesky Smoother;
        public int[]? Aggregate;                          // piecewise constant: node → node of the next coarser level
        public CandidateAggregation.Transfer? Transfer;   // with candidates: several coarse unknowns per aggregate
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
    /// null aggregates 2×2 blocks with a piecewise constant prolongation.
    /// </param>
    /// <param name="cancellationToken">Checked before each level is built.</param>
    public AggregationMultigrid(int[] rowStart, int[] columns, double[] lower, int[] x, int[] y, SymmetricSparseMatrix? matrix = null,
        int smootherBlocks = 2, int parallelism = 0, float[]? candidates = null, int candidateCount = 0, CancellationToken cancellationToken = default)
    {
        int n = rowStart.Length - 1;
        if (x.Length != n || y.Length != n) throw new ArgumentException("One grid position per node is needed.");
        if (candidates is not null && (candidateCount < 1 || candidates.Length != (long)n * candidateCount))
            throw new ArgumentException("Candidates must hold candidateCount values per unknown.", nameof(candidates));
        var coarseRhs = new List<double[]>();
        var coarseSolution = new List<double[]>();
        var nodeFirst = candidates is null ? null : Enumerable.Range(0, n + 1).ToArray();
        while (n > CoarsestSize)
        {
            cancellationToken.ThrowIfCancellationRequested(); // a level's set-up takes up to 2 s at 24 MP
            int[]? aggregate = null;
            CandidateAggregation.Transfer? transfer = null;
            int[] coarseStart, coarseColumns, coarseX, coarseY;
            double[] coarseLower;
            int coarseN;
            if (candidates is null)
            {
                (aggregate, coarseX, coarseY) = AggregateBlocks(x, y);
                coarseN = coarseX.Length;
                if (coarseN > n * 0.9) break; // nodes too scattered to coarsen further
                (coarseStart, coarseColumns, coarseLower) = Galerkin(rowStart, columns, lower, aggregate, coarseX, coarseY);
            }
            else
            {
                var (step, coarse) = CandidateAggregation.Coarsen(rowStart, columns, lower, nodeFirst!, x, y, candidates, candidateCount,
                    _levels.Count == 0 ? FirstAggregateSide : AggregateSide);
                coarseN = step.CoarseSize;
                if (coarseN > n * 0.9) break;
                transfer = step;
                (coarseStart, coarseColumns, coarseLower) = (coarse.RowStart, coarse.Columns, coarse.Lower);
                (coarseX, coarseY, candidates) = (coarse.NodeX, coarse.NodeY, coarse.Candidates);
            }
            var exact = _levels.Count == 0 && matrix is not null ? matrix : new SymmetricSparseMatrix(rowStart, columns, lower, parallelism);
            // The cycle's own products on single-precision values: a preconditioner only has to be close.
            // The finest candidate level reuses CG's double-precision matrix: with a few dozen iterations the single copy's
            // saving (about 1.5 ms per product at 12 MP) is worth less than its memory (80 MB at 12 MP, 124 at 24).
            var single = transfer is not null && _levels.Count == 0 && matrix is not null ? matrix : exact.InSinglePrecision();
            _levels.Add(new Level
            {
                Matrix = single,
                Smoother = new IncompleteCholesky(rowStart, columns, lower, n >= 4 * CoarsestSize ? smootherBlocks : 1, exact.StencilRuns),
                Aggregate = aggregate,
                Transfer = transfer,
                Residual = new double[n], Scratch = new double[n],
            });
            (rowStart, columns, lower) = (coarseStart, coarseColumns, coarseLower);
            (x, y, n) = (coarseX, coarseY, coarseN);
            if (transfer is not null) nodeFirst = transfer.First;
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
        int n = r.Length;
        var residual = level.Residual;
        var scratch = level.Scratch;
        // Pre-smoothing from zero, then the residual.
        level.Smoother.Solve(r, z);
        level.Matrix.Multiply(z, scratch);
        ParallelVectors.Difference(residual, r, scratch);
        // Coarse correction: restrict (sum over each aggregate), solve, prolong (copy back).
        var coarseR = _coarseRhs[depth];
        var coarseZ = _coarseSolution[depth];
        if (level.Transfer is { } transfer)
        {
            transfer.Restrict(residual, coarseR);
            Cycle(depth + 1, coarseR, coarseZ);
            transfer.AddProlonged(z, coarseZ, OverCorrection);
        }
        else
        {
            var aggregate = level.Aggregate!;
            Array.Clear(coarseR);
            for (int i = 0; i < n; i++) coarseR[aggregate[i]] += residual[i];
            Cycle(depth + 1, coarseR, coarseZ);
            ParallelVectors.AddProlonged(z, coarseZ, aggregate, OverCorrection);
        }
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


    /// <summary>
    /// Each node's 2×2 grid block; the blocks numbered in raster order. One pass: the nodes of a coarse row are those
    /// of two consecutive grid rows, each already sorted by column, so merging the two numbers its blocks (a sort of
    /// the block keys took 0.25 s at 1.5 M nodes).
    /// </summary>
    internal static (int[] Aggregate, int[] X, int[] Y) AggregateBlocks(int[] x, int[] y)
    {
        int n = x.Length;
        var aggregate = new int[n];
        var coarseX = new int[n];
        var coarseY = new int[n];
        int count = 0;
        for (int i = 0; i < n;)
        {
            int row = y[i] >> 1, start = i;
            while (i < n && y[i] >> 1 == row) i++;
            int split = start;
            while (split < i && y[split] == y[start]) split++;
            if (y[start] == 2 * row + 1) split = start; // the upper grid row has no nodes
            for (int p = start, q = split; p < split || q < i;)
            {
                int block = Math.Min(p < split ? x[p] >> 1 : int.MaxValue, q < i ? x[q] >> 1 : int.MaxValue);
                coarseX[count] = block;
                coarseY[count] = row;
                while (p < split && x[p] >> 1 == block) aggregate[p++] = count;
                while (q < i && x[q] >> 1 == block) aggregate[q++] = count;
                count++;
            }
        }
        return (aggregate, coarseX[..count], coarseY[..count]);
    }

    /// <summary>
    /// Pᵀ A P for the piecewise constant P of <paramref name="aggregate"/>: every entry of A adds into the entry of
    /// its two nodes' aggregates. Aggregates of neighbours within two grid steps are at most one coarse step
    /// apart, so each coarse row has at most the 4 earlier neighbours of a 3×3 stencil plus its diagonal.
    /// </summary>
    private static (int[] RowStart, int[] Columns, double[] Lower) Galerkin(int[] rowStart, int[] columns, double[] lower,
        int[] aggregate, int[] coarseX, int[] coarseY)
    {
        const int Slots = 5; // (-1,-1) (-1,0) (-1,+1) (0,-1) (0,0): ascending column order in a raster numbering
        int nc = coarseX.Length;
        var values = new double[nc * Slots];
        var present = new bool[nc * Slots];
        // Every entry of fine row i lands in a coarse row of i's own coarse grid row (its partner j comes earlier in
        // raster order: an earlier coarse grid row, whose aggregates all number below i's, or the same one). So fine
        // rows split where the coarse grid row changes write disjoint coarse rows, each in the serial order: the
        // chunks run in parallel with the serial result (at 24 MP the serial pass took 0.6 s).
        var chunkStart = CandidateAggregation.RowAlignedChunks(aggregate, coarseY);
        Parallel.For(0, chunkStart.Length - 1, k =>
        {
            for (int i = chunkStart[k]; i < chunkStart[k + 1]; i++)
            {
                int ci = aggregate[i];
                for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    int j = columns[e], cj = aggregate[j];
                    double v = lower[e];
                    if (ci == cj) { values[ci * Slots + 4] += j == i ? v : 2 * v; present[ci * Slots + 4] = true; continue; }
                    int row = Math.Max(ci, cj), column = Math.Min(ci, cj);
                    int dy = coarseY[column] - coarseY[row], dx = coarseX[column] - coarseX[row];
                    int slot = dy == -1 ? dx + 1 : 3;
                    if (dy < -1 || dy > 0 || dx < -1 || dx > 1 || (dy == 0 && dx != -1))
                        throw new InvalidOperationException("A matrix entry couples nodes more than two grid steps apart.");
                    values[row * Slots + slot] += v;
                    present[row * Slots + slot] = true;
                }
            }
        });
        var coarseStart = new int[nc + 1];
        for (int c = 0; c < nc; c++)
        {
            int count = 0;
            for (int s = 0; s < Slots; s++) if (present[c * Slots + s]) count++;
            coarseStart[c + 1] = coarseStart[c] + count;
        }
        var coarseColumns = new int[coarseStart[nc]];
        var coarseLower = new double[coarseStart[nc]];
        // Column of each slot: the neighbour's coarse index, found by binary search on the raster keys.
        var keys = new long[nc];
        for (int c = 0; c < nc; c++) keys[c] = ((long)coarseY[c] << 32) | (uint)coarseX[c];
        RowChunks.Run(nc, Environment.ProcessorCount, CancellationToken.None, (_, first, end) =>
        {
            for (int c = first; c < end; c++)
            {
                int o = coarseStart[c];
                for (int s = 0; s < Slots; s++)
                {
                    if (!present[c * Slots + s]) continue;
                    int dy = s < 3 ? -1 : 0, dx = s < 3 ? s - 1 : s == 3 ? -1 : 0;
                    int column = s == 4 ? c : Array.BinarySearch(keys, ((long)(coarseY[c] + dy) << 32) | (uint)(coarseX[c] + dx));
                    coarseColumns[o] = column;
                    coarseLower[o++] = values[c * Slots + s];
                }
            }
        });
        return (coarseStart, coarseColumns, coarseLower);
    }
}
