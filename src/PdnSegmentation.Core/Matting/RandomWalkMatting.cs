using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

public sealed record RandomWalkOptions
{
    /// <summary>
    /// Colour scale σ of the edge weights w = exp(−‖I_p − I_q‖² / σ²), colours in 0..1. Grady et al. leave β = 1/σ²
    /// free; 1/30 (β = 900) is the value PyMatting uses, so the two solve the same problem.
    /// </summary>
    public double Sigma { get; init; } = 1.0 / 30;
    /// <summary>Added to the diagonal so that an unknown region touching no known pixel still has a unique answer (0).</summary>
    public double Regularization { get; init; } = 1e-8;
    public UnknownRegionSolverOptions Solver { get; init; } = new();
}

/// <summary>
/// Random-walk matting (Grady, Schiwietz, Aharon &amp; Westermann, VIIP 2005): α at an unknown pixel is the
/// probability that a random walker starting there reaches the foreground before the background, on the
/// 8-connected pixel graph with colour-similarity edge weights — the Dirichlet problem L_UU α_U = −L_UK α_K of the
/// graph Laplacian L = D − W with the trimap's known pixels as boundary values.
/// </summary>
public static class RandomWalkMatting
{
    // Neighbours earlier in row-major order, in ascending index order: the lower triangle's columns.
    private static readonly (int Dx, int Dy)[] Earlier = [(-1, -1), (0, -1), (1, -1), (-1, 0)];
    private static readonly (int Dx, int Dy)[] Later = [(1, 0), (-1, 1), (0, 1), (1, 1)];

    public static AlphaMatte Estimate(ColorImage image, Trimap trimap, RandomWalkOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new RandomWalkOptions();
        if (!(options.Sigma > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Sigma, "Sigma must be positive.");
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        var scope = ProgressScope.For(progress);
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        var (rowStart, columns, lower, rhs) = Laplacian(image, trimap, indices, options, cancellationToken);
        scope.Report(0.1);
        var solution = UnknownRegionSolver.Solve(trimap, indices, rowStart, columns, lower, rhs, options.Solver, null, scope.Slice(0.1, 1), cancellationToken);
        scope.Report(1);
        return UnknownRegionSolver.ToMatte(trimap, indices, solution.Values);
    }

    /// <summary>L_UU's lower triangle (CSR, diagonal last) and −L_UK α_K, the weights to foreground neighbours.</summary>
    internal static (int[] RowStart, int[] Columns, double[] Lower, double[] Rhs) Laplacian(ColorImage image, Trimap trimap, int[] indices,
        RandomWalkOptions options, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height, n = indices.Length;
        var labels = trimap.LabelArray;
        var unknownNumber = UnknownRegionSolver.UnknownNumbers(indices, labels.Length);
        // exp(−β d²) for every integer squared byte distance: the same values as calling exp, without calling it.
        double beta = 1.0 / (options.Sigma * options.Sigma) / (255.0 * 255.0);
        var weightOf = new double[3 * 255 * 255 + 1];
        for (int d = 0; d < weightOf.Length; d++) weightOf[d] = Math.Exp(-beta * d);

        var rowStart = new int[n + 1];
        for (int u = 0; u < n; u++)
        {
            var (y, x) = Math.DivRem(indices[u], w);
            int count = 1;
            foreach (var (dx, dy) in Earlier)
            {
                int nx = x + dx, ny = y + dy;
                if ((uint)nx < (uint)w && (uint)ny < (uint)h && unknownNumber[ny * w + nx] >= 0) count++;
            }
            rowStart[u + 1] = rowStart[u] + count;
        }
        var columns = new int[rowStart[n]];
        var lower = new double[rowStart[n]];
        var rhs = new double[n];
        var pixels = image.Buffer;
        int stride = image.Stride;
        double ridge = options.Regularization;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Solver.MaxDegreeOfParallelism), CancellationToken = cancellationToken };
        int chunks = Math.Max(1, Math.Min(64, n));
        Parallel.For(0, chunks, parallel, chunk =>
        {
            for (int u = (int)((long)n * chunk / chunks), end = (int)((long)n * (chunk + 1) / chunks); u < end; u++)
            {
                var (y, x) = Math.DivRem(indices[u], w);
                int at = rowStart[u];
                double degree = ridge, toForeground = 0;
                foreach (var (dx, dy) in Earlier) Visit(dx, dy, lowerEntry: true);
                foreach (var (dx, dy) in Later) Visit(dx, dy, lowerEntry: false);
                columns[at] = u;
                lower[at] = degree;
                rhs[u] = toForeground;

                void Visit(int dx, int dy, bool lowerEntry)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) return;
                    int p = y * stride + 4 * x, q = ny * stride + 4 * nx;
                    int d0 = pixels[p] - pixels[q], d1 = pixels[p + 1] - pixels[q + 1], d2 = pixels[p + 2] - pixels[q + 2];
                    double weight = weightOf[d0 * d0 + d1 * d1 + d2 * d2];
                    degree += weight;
                    int j = ny * w + nx;
                    if (unknownNumber[j] >= 0)
                    {
                        if (lowerEntry) { columns[at] = unknownNumber[j]; lower[at++] = -weight; }
                    }
                    else if (labels[j] == (byte)TrimapLabel.Foreground) toForeground += weight;
                }
            }
        });
        return (rowStart, columns, lower, rhs);
    }
}
