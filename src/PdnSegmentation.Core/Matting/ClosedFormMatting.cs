using PdnSegmentation.Imaging;
using PdnSegmentation.Parallelism;
using PdnSegmentation.Progress;
using PdnSegmentation.Solvers;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

public sealed record ClosedFormOptions
{
    /// <summary>Regulariser ε of the window covariances (Levin et al. use 1e-7).</summary>
    public double Epsilon { get; init; } = 1e-7;
    public ConjugateGradientOptions Solver { get; init; } = new();
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
    public MattingPreconditioner Preconditioner { get; init; } = MattingPreconditioner.Automatic;
    /// <summary>
    /// <see cref="MattingPreconditioner.Automatic"/> uses the multigrid above this many unknown pixels. Below it the
    /// multigrid's set-up (about 0.1 s) costs more than incomplete Cholesky's extra iterations save. Measured with both
    /// forced (README, "Large photos and scribbles"): alphamatting trimap1 / trimap2 and the GrabCut set's lasso
    /// trimaps, the crossing lies at 40–70 k unknowns.
    /// </summary>
    public int MultigridAboveUnknowns { get; init; } = 50_000;
    /// <summary>… or when 5 % of the unknown pixels are farther than this from the nearest known pixel (pixels) …</summary>
    public double MultigridBeyondDistance { get; init; } = 100;
    /// <summary>… or when more than this fraction of the image is unknown (scribbles rather than a painted band).</summary>
    public double MultigridAboveUnknownFraction { get; init; } = 0.5;
    /// <summary>Independent blocks of the incomplete-Cholesky factorisations (solved in parallel).</summary>
    public int PreconditionerBlocks { get; init; } = 2;
    /// <summary>
    /// Above this many unknown pixels the matte is solved at a reduced scale and brought back to full size by its local
    /// linear model (<see cref="ReducedScaleMatting"/>); <see cref="long.MaxValue"/> always solves at full size.
    /// </summary>
    public long FullScaleUnknowns { get; init; } = ReducedScaleMatting.DefaultFullScaleUnknowns;

    internal UnknownRegionSolverOptions SolverOptions => new()
    {
        Solver = Solver, Preconditioner = Preconditioner, MultigridBeyondDistance = MultigridBeyondDistance, MultigridAboveUnknowns = MultigridAboveUnknowns,
        MultigridAboveUnknownFraction = MultigridAboveUnknownFraction, PreconditionerBlocks = PreconditionerBlocks,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };
}

public enum MattingPreconditioner
{
    /// <summary>
    /// Multigrid for large unknown regions (<see cref="ClosedFormOptions.MultigridAboveUnknowns"/>), wide ones (5 % of
    /// the pixels farther than <see cref="ClosedFormOptions.MultigridBeyondDistance"/> from a known pixel) and ones
    /// covering most of the image (scribbles); incomplete Cholesky for small ones. Incomplete Cholesky only couples
    /// neighbours, so CG's iterations grow with the region (178–1 215 on alphamatting); the multigrid needs 9–67 there,
    /// but its set-up and each of its iterations cost several of incomplete Cholesky's. Measured where each wins:
    /// README, "Large photos and scribbles".
    /// </summary>
    Automatic,
    /// <summary>
    /// A multigrid V-cycle over the unknown pixels with incomplete-Cholesky smoothing; for closed-form its coarse levels
    /// carry the colour-affine and spatial candidates of <see cref="AggregationMultigrid"/>. CG's iterations stay
    /// nearly flat with the image size (lemur, 12.9 % unknown: 28 at 1 MP, 26 at 12 MP).
    /// </summary>
    Multigrid,
    /// <summary>Incomplete Cholesky alone: cheaper per iteration, but 648 iterations at 1 MP and 2 551 at 12 MP.</summary>
    IncompleteCholesky,
}

/// <param name="Levels">Multigrid levels (1 for incomplete Cholesky alone).</param>
/// <param name="Reduction">The factor the photo was reduced by for the solve (1: solved at full size; see <see cref="ReducedScaleMatting"/>).</param>
public sealed record ClosedFormResult(AlphaMatte Alpha, ConjugateGradientResult Solve, int Levels = 1, int Reduction = 1);

/// <summary>
/// Closed-form matting (Levin, Lischinski &amp; Weiss, PAMI 2008): minimise αᵀLα with the trimap's definite pixels
/// fixed, i.e. solve L_UU α_U = −L_UK α_K for the unknown pixels only, by preconditioned conjugate gradients.
/// </summary>
public static class ClosedFormMatting
{
    public static ClosedFormResult Estimate(ColorImage image, Trimap trimap, ClosedFormOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClosedFormOptions();
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        ClosedFormResult? solved = null;
        var (alpha, reduction) = ReducedScaleMatting.Solve(image, trimap, options.FullScaleUnknowns,
            (photo, photoTrimap, photoProgress) => (solved = EstimateFullScale(photo, photoTrimap, options, photoProgress, cancellationToken)).Alpha,
            options.MaxDegreeOfParallelism, progress, cancellationToken);
        return solved! with { Alpha = alpha, Reduction = reduction };
    }

    private static ClosedFormResult EstimateFullScale(ColorImage image, Trimap trimap, ClosedFormOptions options, IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        var scope = ProgressScope.For(progress);
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        cancellationToken.ThrowIfCancellationRequested();
        var laplacian = new MattingLaplacian(image, indices, options.Epsilon, options.MaxDegreeOfParallelism);
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.05);
        var rhs = RightHandSide(laplacian, trimap);
        // The operator itself: L_UU assembled once, so each iteration is one parallel sparse product.
        var (rowStart, columns, lower) = laplacian.LowerTriangle();
        laplacian = null; // its window data (~200 bytes per unknown) is not needed by the solve
        // With millions of unknowns that is hundreds of megabytes of large-object garbage: collected here, the solve's own
        // arrays reuse its space instead of growing the heap (24 MP Refine Matte effect, 2.4 M unknowns: peak while
        // solving 2.42 → 2.20 GB, whole run's peak 2.70 → 2.56 GB; the collection takes about 0.1 s).
        if (indices.Length > 1_000_000) GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.1);
        var candidates = NearNullSpace(image, indices, options.MaxDegreeOfParallelism);
        var solution = UnknownRegionSolver.Solve(trimap, indices, rowStart, columns, lower, rhs, options.SolverOptions, null, scope.Slice(0.1, 1), cancellationToken,
            candidates, NearNullSpaceSize);
        scope.Report(1);
        return new ClosedFormResult(UnknownRegionSolver.ToMatte(trimap, indices, solution.Values), solution.Solve, solution.Levels);
    }

    internal const int NearNullSpaceSize = 6;

    /// <summary>
    /// Per unknown pixel: 1, R, G, B, x, y. Every α affine in the colours costs the Laplacian only its ε term, so those
    /// four span its near-null space; where an aggregate's colours are flat, the smooth errors left are the spatial
    /// ones. Measured on the lemur at 4 / 12 MP: constants alone (2×2 aggregates) 93 / 115 CG iterations; 1, R, G, B
    /// 48 / 42; with x and y 17 / 23 (4×4 aggregates).
    /// </summary>
    internal static float[] NearNullSpace(ColorImage image, int[] indices, int parallelism = 0)
    {
        var candidates = new float[indices.Length * NearNullSpaceSize];
        int width = image.Width;
        RowChunks.Run(indices.Length, parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken.None, (_, first, end) =>
        {
            for (int u = first; u < end; u++)
            {
                var (y, x) = Math.DivRem(indices[u], width);
                var pixel = image[x, y];
                var c = candidates.AsSpan(u * NearNullSpaceSize, NearNullSpaceSize);
                (c[0], c[1], c[2], c[3], c[4], c[5]) = (1, pixel.R / 255f, pixel.G / 255f, pixel.B / 255f, x, y);
            }
        });
        return candidates;
    }

    /// <summary>−L_UK α_K: the Laplacian's unknown rows applied to the known values (1 on the foreground).</summary>
    private static double[] RightHandSide(MattingLaplacian laplacian, Trimap trimap)
    {
        var rhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
        for (int u = 0; u < rhs.Length; u++) rhs[u] = -rhs[u];
        return rhs;
    }
}
