using PdnSegmentation.Imaging;
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
    /// <see cref="MattingPreconditioner.Automatic"/> uses the multigrid when 5 % of the unknown pixels are farther
    /// than this from the nearest known pixel (pixels).
    /// </summary>
    public double MultigridBeyondDistance { get; init; } = 100;
    /// <summary>… or when more than this fraction of the image is unknown (scribbles rather than a painted band).</summary>
    public double MultigridAboveUnknownFraction { get; init; } = 0.5;
    /// <summary>Independent blocks of the incomplete-Cholesky factorisations (solved in parallel).</summary>
    public int PreconditionerBlocks { get; init; } = 2;
}

public enum MattingPreconditioner
{
    /// <summary>
    /// Multigrid where the unknown region is wide — 5 % of its pixels farther than
    /// <see cref="ClosedFormOptions.MultigridBeyondDistance"/> from a known pixel — or covers most of the image
    /// (scribbles), incomplete Cholesky elsewhere.
    /// Incomplete Cholesky only couples neighbours, so CG's iterations grow with how far the known values have to
    /// travel; the multigrid's do not, but each costs about three of incomplete Cholesky's, and on native-resolution
    /// images with hair its piecewise constant coarse levels fit the matting Laplacian poorly (alphamatting GT10,
    /// trimap2: 350 iterations against 244). Measured where each wins: README, "Large photos and scribbles".
    /// </summary>
    Automatic,
    /// <summary>
    /// A multigrid V-cycle over the unknown pixels with incomplete-Cholesky smoothing: CG's iterations grow slowly
    /// with the image size (lemur, 12.9 % unknown: 74 at 1 MP, 116 at 12 MP).
    /// </summary>
    Multigrid,
    /// <summary>Incomplete Cholesky alone: cheaper per iteration, but 648 iterations at 1 MP and 2 551 at 12 MP.</summary>
    IncompleteCholesky,
}

/// <param name="Levels">Multigrid levels (1 for incomplete Cholesky alone).</param>
public sealed record ClosedFormResult(AlphaMatte Alpha, ConjugateGradientResult Solve, int Levels = 1);

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
        int w = image.Width, h = image.Height;
        var labels = trimap.Labels;
        var unknown = new List<int>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] == (byte)TrimapLabel.Unknown) unknown.Add(i);
        var scope = ProgressScope.For(progress);
        var indices = unknown.ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        var laplacian = new MattingLaplacian(image, indices, options.Epsilon, options.MaxDegreeOfParallelism);
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.05);

        int n = indices.Length;
        var rhs = RightHandSide(laplacian, trimap);
        var (solution, reach) = InitialGuess(trimap, indices);

        // The operator itself: L_UU assembled once, so each iteration is one parallel sparse product.
        var (rowStart, columns, lower) = laplacian.LowerTriangle();
        laplacian = null; // its window data (~200 bytes per unknown) is not needed by the solve
        cancellationToken.ThrowIfCancellationRequested();
        var operatorUU = new SymmetricSparseMatrix(rowStart, columns, lower, options.MaxDegreeOfParallelism);
        void Apply(double[] xu, double[] yu) => operatorUU.Multiply(xu, yu);
        Action<double[], double[]> precondition;
        int levels = 1;
        if (options.Preconditioner == MattingPreconditioner.Multigrid
            || (options.Preconditioner == MattingPreconditioner.Automatic
                && (reach > options.MultigridBeyondDistance || n > options.MultigridAboveUnknownFraction * labels.Length)))
        {
            var gridX = new int[n];
            var gridY = new int[n];
            for (int u = 0; u < n; u++) (gridY[u], gridX[u]) = Math.DivRem(indices[u], w);
            var multigrid = new AggregationMultigrid(rowStart, columns, lower, gridX, gridY, operatorUU,
                options.PreconditionerBlocks, options.MaxDegreeOfParallelism);
            levels = multigrid.LevelCount;
            precondition = multigrid.Solve;
        }
        else precondition = new IncompleteCholesky(rowStart, columns, lower, options.PreconditionerBlocks).Solve;
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.1);

        var solve = ConjugateGradient.Solve(Apply, precondition, rhs, solution, options.Solver, scope.Slice(0.1, 1), cancellationToken);

        var alpha = new AlphaMatte(w, h);
        var values = alpha.Values;
        for (int i = 0; i < labels.Length; i++) values[i] = labels[i] == (byte)TrimapLabel.Foreground ? 1 : 0;
        for (int u = 0; u < n; u++) values[indices[u]] = (float)Math.Clamp(solution[u], 0, 1);
        scope.Report(1);
        return new ClosedFormResult(alpha, solve, levels);
    }

    /// <summary>−L_UK α_K: the Laplacian's unknown rows applied to the known values (1 on the foreground).</summary>
    private static double[] RightHandSide(MattingLaplacian laplacian, Trimap trimap)
    {
        var rhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
        for (int u = 0; u < rhs.Length; u++) rhs[u] = -rhs[u];
        return rhs;
    }

    /// <summary>
    /// A start closer to the answer than ½ everywhere: d_B / (d_F + d_B) from the distances to the nearest definite
    /// foreground and background pixel, so CG begins with the right large-scale shape. Also the reach: the 95th
    /// percentile of min(d_F, d_B) over the unknowns, i.e. how far most information has to travel.
    /// </summary>
    private static (double[] Guess, double Reach) InitialGuess(Trimap trimap, int[] indices)
    {
        var toForeground = DistanceTo(trimap, TrimapLabel.Foreground);
        var toBackground = DistanceTo(trimap, TrimapLabel.Background);
        var guess = new double[indices.Length];
        var histogram = new int[4097]; // 1-pixel bins; the last one holds everything farther
        for (int u = 0; u < guess.Length; u++)
        {
            double f = toForeground[indices[u]], b = toBackground[indices[u]];
            guess[u] = b / (f + b);
            histogram[(int)Math.Min(Math.Min(f, b), histogram.Length - 1)]++;
        }
        long wanted = (long)Math.Ceiling(0.95 * indices.Length), seen = 0;
        int reach = 0;
        while (reach < histogram.Length - 1 && (seen += histogram[reach]) < wanted) reach++;
        return (guess, reach);
    }

    private static float[] DistanceTo(Trimap trimap, TrimapLabel label)
    {
        var labels = trimap.Labels;
        var isLabel = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++) isLabel[i] = labels[i] == (byte)label ? (byte)1 : (byte)0;
        return PixelMaps.DistanceToTargets(isLabel, trimap.Width, trimap.Height);
    }
}
