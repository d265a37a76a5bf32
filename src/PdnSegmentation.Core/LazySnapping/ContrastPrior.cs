using PdnSegmentation.Imaging;

namespace PdnSegmentation.LazySnapping;

/// <summary>
/// Lazy Snapping's prior E2 = |x_i − x_j| · g(C_ij) with g(ξ) = 1/(ξ + 1) and C_ij = ‖C(i) − C(j)‖². The squared
/// colour difference is divided by its mean over the image (as GrabCut normalises its β), so one λ suits low- and
/// high-contrast photos alike; diagonal neighbours count 1/√2.
/// </summary>
internal static class ContrastPrior
{
    // 8-neighbourhood in GridDirection order: E, SE, S, SW, W, NW, N, NE.
    public static readonly int[] Dx = [1, 1, 0, -1, -1, -1, 0, 1];
    public static readonly int[] Dy = [0, 1, 1, 1, 0, -1, -1, -1];
    public static readonly float[] InverseLength = [1, 1 / MathF.Sqrt(2), 1, 1 / MathF.Sqrt(2), 1, 1 / MathF.Sqrt(2), 1, 1 / MathF.Sqrt(2)];

    public static float G(float xi) => 1 / (xi + 1);

    public static float SquaredContrast(ColorImage image, int x, int y, int nx, int ny)
    {
        var a = image.Row(y);
        var b = image.Row(ny);
        int d0 = a[4 * x] - b[4 * nx], d1 = a[4 * x + 1] - b[4 * nx + 1], d2 = a[4 * x + 2] - b[4 * nx + 2];
        return d0 * d0 + d1 * d1 + d2 * d2;
    }

    /// <summary>Mean squared colour difference over all 8-neighbour pairs (at least 1, for flat images).</summary>
    public static double MeanSquaredContrast(ColorImage image)
    {
        double sum = 0;
        long pairs = 0;
        int w = image.Width, h = image.Height;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int d = 0; d < 4; d++)
                {
                    int nx = x + Dx[d], ny = y + Dy[d];
                    if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                    sum += SquaredContrast(image, x, y, nx, ny);
                    pairs++;
                }
        return pairs == 0 ? 1 : Math.Max(1, sum / pairs);
    }
}
