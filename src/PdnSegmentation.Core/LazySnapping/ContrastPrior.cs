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

    public static float SquaredContrast(ColorImage image, int x, int y, int nx, int ny) =>
        NeighbourContrast.Distance2(image.Row(y), 4 * x, image.Row(ny), 4 * nx);

    /// <summary>The image's mean squared neighbour difference (at least 1, for flat images).</summary>
    public static double MeanSquaredContrast(ColorImage image) =>
        Math.Max(1, NeighbourContrast.MeanSquaredDifference(image, Environment.ProcessorCount));
}
