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
    /// <summary>Independent blocks of the incomplete-Cholesky preconditioner (solved in parallel).</summary>
    public int PreconditionerBlocks { get; init; } = 2;
}

public sealed record ClosedFormResult(AlphaMatte Alpha, ConjugateGradientResult Solve);

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

        // Right-hand side: −L_UK α_K, from the known values with the unknowns at zero.
        var full = new double[w * h];
        var product = new double[w * h];
        for (int i = 0; i < labels.Length; i++) full[i] = labels[i] == (byte)TrimapLabel.Foreground ? 1 : 0;
        laplacian.Multiply(full, product);
        int n = indices.Length;
        var rhs = new double[n];
        for (int u = 0; u < n; u++) rhs[u] = -product[indices[u]];

        // Incomplete Cholesky of L_UU: a few dozen to a few hundred CG iterations instead of thousands with Jacobi.
        var (rowStart, columns, lower) = laplacian.LowerTriangle();
        cancellationToken.ThrowIfCancellationRequested();
        var preconditioner = new IncompleteCholesky(rowStart, columns, lower, options.PreconditionerBlocks);
        cancellationToken.ThrowIfCancellationRequested();
        void Precondition(double[] r, double[] z) => preconditioner.Solve(r, z);
        // The operator itself: L_UU assembled once, so each iteration is one parallel sparse product.
        var operatorUU = new SymmetricSparseMatrix(rowStart, columns, lower, options.MaxDegreeOfParallelism);
        void Apply(double[] xu, double[] yu) => operatorUU.Multiply(xu, yu);
        scope.Report(0.1);

        var solution = InitialGuess(trimap, indices);
        var solve = ConjugateGradient.Solve(Apply, Precondition, rhs, solution, options.Solver, scope.Slice(0.1, 1), cancellationToken);

        var alpha = new AlphaMatte(w, h);
        var values = alpha.Values;
        for (int i = 0; i < labels.Length; i++) values[i] = labels[i] == (byte)TrimapLabel.Foreground ? 1 : 0;
        for (int u = 0; u < n; u++) values[indices[u]] = (float)Math.Clamp(solution[u], 0, 1);
        scope.Report(1);
        return new ClosedFormResult(alpha, solve);
    }

    /// <summary>
    /// A start closer to the answer than ½ everywhere: d_B / (d_F + d_B) from the distances to the nearest definite
    /// foreground and background pixel, so CG begins with the right large-scale shape.
    /// </summary>
    private static double[] InitialGuess(Trimap trimap, int[] indices)
    {
        var toForeground = DistanceTo(trimap, TrimapLabel.Foreground);
        var toBackground = DistanceTo(trimap, TrimapLabel.Background);
        var guess = new double[indices.Length];
        for (int u = 0; u < guess.Length; u++)
        {
            double f = toForeground[indices[u]], b = toBackground[indices[u]];
            guess[u] = b / (f + b);
        }
        return guess;
    }

    private static float[] DistanceTo(Trimap trimap, TrimapLabel label)
    {
        var labels = trimap.Labels;
        var isLabel = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++) isLabel[i] = labels[i] == (byte)label ? (byte)1 : (byte)0;
        return PixelMaps.DistanceToTargets(isLabel, trimap.Width, trimap.Height);
    }
}
