using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

public sealed record PoissonMattingOptions
{
    /// <summary>Most solves; the loop stops earlier once the sets of near-certain pixels stop changing.</summary>
    public int MaxIterations { get; init; } = 4;
    /// <summary>Gaussian σ (pixels) smoothing the nearest-pixel estimates of F and B, as the paper smooths them.</summary>
    public double ColorSmoothing { get; init; } = 2;
    /// <summary>
    /// Smallest ‖F − B‖ (colours 0..1) the gradient is divided by: where the two colours meet, ∇I / (F − B) would
    /// amplify noise without bound.
    /// </summary>
    public double MinColorDifference { get; init; } = 0.1;
    /// <summary>Unknown pixels whose α is above 1 − this (below this) count as foreground (background) for the next F, B.</summary>
    public double CertainMargin { get; init; } = 0.05;
    public UnknownRegionSolverOptions Solver { get; init; } = new();
}

/// <summary>
/// Global Poisson matting (Sun, Jia, Tang &amp; Shum, SIGGRAPH 2004). Where F and B vary slowly, the matting
/// equation gives ∇α ≈ ∇I / (F − B) (here projected on F − B: ∇α ≈ (F − B)·∇I / ‖F − B‖²), so α is the solution of
/// a Poisson equation whose guidance field is that gradient, with the trimap's known pixels as boundary values.
/// F and B start as the colours of the nearest known pixels, smoothed; after each solve, unknown pixels whose α is
/// near 0 or 1 join the background or foreground for the next estimate of F and B, and the equation is solved again.
/// </summary>
public static class PoissonMatting
{
    public static AlphaMatte Estimate(ColorImage image, Trimap trimap, PoissonMattingOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PoissonMattingOptions();
        if (options.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, "At least one iteration is needed.");
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        var scope = ProgressScope.For(progress);
        int w = image.Width, h = image.Height;
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        int n = indices.Length;
        var unknownNumber = UnknownRegionSolver.UnknownNumbers(indices, w * h);
        var (rowStart, columns, lower) = GridLaplacian(indices, unknownNumber, w, h);

        // The sets F and B are estimated from: the trimap's, plus the unknown pixels the last solve made near-certain.
        var side = trimap.Labels.ToArray();
        double[]? alpha = null;
        for (int iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var difference = ForegroundMinusBackground(image, side, options);
            var rhs = RightHandSide(image, trimap, indices, unknownNumber, difference, options.MinColorDifference);
            var slice = scope.Slice((double)iteration / options.MaxIterations, (iteration + 1.0) / options.MaxIterations);
            alpha = UnknownRegionSolver.Solve(trimap, indices, rowStart, columns, lower, rhs, options.Solver, alpha, slice, cancellationToken).Values;
            int changed = 0;
            for (int u = 0; u < n; u++)
            {
                byte now = alpha[u] > 1 - options.CertainMargin ? (byte)TrimapLabel.Foreground
                    : alpha[u] < options.CertainMargin ? (byte)TrimapLabel.Background : (byte)TrimapLabel.Unknown;
                if (side[indices[u]] != now) { side[indices[u]] = now; changed++; }
            }
            if (changed == 0) break;
        }
        scope.Report(1);
        return UnknownRegionSolver.ToMatte(trimap, indices, alpha!);
    }

    /// <summary>The 4-connected graph Laplacian on the unknowns (lower triangle, diagonal last): every neighbour counts in the degree.</summary>
    private static (int[] RowStart, int[] Columns, double[] Lower) GridLaplacian(int[] indices, int[] unknownNumber, int w, int h)
    {
        int n = indices.Length;
        var rowStart = new int[n + 1];
        var columns = new List<int>(3 * n);
        var lower = new List<double>(3 * n);
        for (int u = 0; u < n; u++)
        {
            var (y, x) = Math.DivRem(indices[u], w);
            if (y > 0 && unknownNumber[indices[u] - w] >= 0) { columns.Add(unknownNumber[indices[u] - w]); lower.Add(-1); }
            if (x > 0 && unknownNumber[indices[u] - 1] >= 0) { columns.Add(unknownNumber[indices[u] - 1]); lower.Add(-1); }
            int degree = (y > 0 ? 1 : 0) + (y < h - 1 ? 1 : 0) + (x > 0 ? 1 : 0) + (x < w - 1 ? 1 : 0);
            columns.Add(u);
            lower.Add(degree + 1e-8); // a region touching no known pixel still has one answer

            rowStart[u + 1] = columns.Count;
        }
        return (rowStart, columns.ToArray(), lower.ToArray());
    }

    /// <summary>F − B per pixel (RGB, 0..1): the nearest foreground and background colours of the current sets, smoothed.</summary>
    private static float[] ForegroundMinusBackground(ColorImage image, byte[] side, PoissonMattingOptions options)
    {
        int w = image.Width, h = image.Height;
        var isForeground = new byte[side.Length];
        var isBackground = new byte[side.Length];
        for (int i = 0; i < side.Length; i++)
        {
            isForeground[i] = side[i] == (byte)TrimapLabel.Foreground ? (byte)1 : (byte)0;
            isBackground[i] = side[i] == (byte)TrimapLabel.Background ? (byte)1 : (byte)0;
        }
        var nearestForeground = PixelMaps.NearestTarget(isForeground, w, h);
        var nearestBackground = PixelMaps.NearestTarget(isBackground, w, h);
        var pixels = image.Data;
        int stride = image.Stride;
        var difference = new float[3 * side.Length];
        for (int i = 0; i < side.Length; i++)
        {
            int f = nearestForeground[i], b = nearestBackground[i];
            int pf = f / w * stride + 4 * (f % w), pb = b / w * stride + 4 * (b % w);
            for (int c = 0; c < 3; c++) difference[3 * i + c] = (pixels[pf + c] - pixels[pb + c]) / 255f;
        }
        if (options.ColorSmoothing > 0) PixelMaps.GaussianBlur(difference, w, h, 3, options.ColorSmoothing);
        return difference;
    }

    /// <summary>
    /// For each unknown p, b_p = Σ_q known α_q − Σ_q g_pq over its 4 neighbours, where g_pq ≈ α_q − α_p is the
    /// guidance: the colour step I_q − I_p projected on the mean F − B of p and q, divided by its squared length.
    /// </summary>
    private static double[] RightHandSide(ColorImage image, Trimap trimap, int[] indices, int[] unknownNumber, float[] difference, double minDifference)
    {
        int w = image.Width, h = image.Height;
        var labels = trimap.Labels;
        var pixels = image.Data;
        int stride = image.Stride;
        double floor = minDifference * minDifference;
        var rhs = new double[indices.Length];
        for (int u = 0; u < indices.Length; u++)
        {
            int p = indices[u];
            var (y, x) = Math.DivRem(p, w);
            double sum = 0;
            for (int k = 0; k < 4; k++)
            {
                int nx = x + (k == 0 ? -1 : k == 1 ? 1 : 0), ny = y + (k == 2 ? -1 : k == 3 ? 1 : 0);
                if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                int q = ny * w + nx;
                if (unknownNumber[q] < 0 && labels[q] == (byte)TrimapLabel.Foreground) sum += 1;
                double dot = 0, length = 0;
                int pp = y * stride + 4 * x, pq = ny * stride + 4 * nx;
                for (int c = 0; c < 3; c++)
                {
                    double d = 0.5 * (difference[3 * p + c] + difference[3 * q + c]);
                    dot += d * (pixels[pq + c] - pixels[pp + c]) / 255.0;
                    length += d * d;
                }
                double guidance = Math.Clamp(dot / Math.Max(length, floor), -1, 1);
                sum -= guidance;
            }
            rhs[u] = sum;
        }
        return rhs;
    }
}
