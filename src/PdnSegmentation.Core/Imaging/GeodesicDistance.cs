namespace PdnSegmentation.Imaging;

/// <summary>
/// Geodesic distance on the photo (Criminisi, Sharp &amp; Blake, "GeoS: geodesic image segmentation", ECCV 2008): the
/// length of the shortest 8-connected path from the nearest seed, a step from pixel p to its neighbour q costing
/// sqrt(‖p − q‖² + (w·‖I(p) − I(q)‖)²) — crossing a colour edge costs as much as walking w·(its contrast) pixels.
/// Computed by alternating forward and backward raster sweeps (Toivanen 1996); two round trips reach the exact
/// shortest paths except for paths that turn back more than twice, which image edges rarely need.
/// <para>Why hand-written: OpenCV has no geodesic distance transform; these sweeps are allocation-free and linear.</para>
/// </summary>
public static class GeodesicDistance
{
    /// <param name="seeds">Non-zero where the distance is 0.</param>
    /// <param name="colourWeight">w: path-length units per unit of colour difference (0..441 over B, G, R).</param>
    /// <param name="roundTrips">Forward-and-backward sweep pairs.</param>
    public static float[] Compute(ColorImage image, ReadOnlySpan<byte> seeds, float colourWeight, int roundTrips = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        if (seeds.Length != w * h) throw new ImageSizeMismatchException($"The seeds have {seeds.Length} values but the photo is {w}×{h}.");
        var distance = new float[w * h];
        for (int i = 0; i < distance.Length; i++) distance[i] = seeds[i] != 0 ? 0 : float.PositiveInfinity;
        if (seeds.IndexOfAnyExcept((byte)0) < 0) return distance;
        float w2 = colourWeight * colourWeight;
        for (int trip = 0; trip < roundTrips; trip++)
        {
            Sweep(image, distance, w2, forward: true);
            Sweep(image, distance, w2, forward: false);
        }
        return distance;
    }

    /// <summary>
    /// One raster sweep: forward visits rows top to bottom, left to right, relaxing each pixel from its W, NW, N and NE
    /// neighbours; backward the reverse, from E, SE, S and SW.
    /// </summary>
    private static void Sweep(ColorImage image, float[] distance, float w2, bool forward)
    {
        int w = image.Width, h = image.Height;
        int step = forward ? 1 : -1;
        int yStart = forward ? 0 : h - 1, yEnd = forward ? h : -1;
        int xStart = forward ? 0 : w - 1, xEnd = forward ? w : -1;
        for (int y = yStart; y != yEnd; y += step)
        {
            var row = image.Row(y);
            int py = y - step;
            bool hasPrevious = py >= 0 && py < h;
            var previous = hasPrevious ? image.Row(py) : default;
            for (int x = xStart; x != xEnd; x += step)
            {
                int i = y * w + x;
                float best = distance[i];
                int o = 4 * x;
                int px = x - step;
                if (px >= 0 && px < w) best = Math.Min(best, distance[i - step] + Cost(row, o, row, 4 * px, 1, w2));
                if (hasPrevious)
                {
                    int pi = py * w + x;
                    best = Math.Min(best, distance[pi] + Cost(row, o, previous, o, 1, w2));
                    if (px >= 0 && px < w) best = Math.Min(best, distance[pi - step] + Cost(row, o, previous, 4 * px, 2, w2));
                    int nx = x + step;
                    if (nx >= 0 && nx < w) best = Math.Min(best, distance[pi + step] + Cost(row, o, previous, 4 * nx, 2, w2));
                }
                distance[i] = best;
            }
        }
    }

    private static float Cost(ReadOnlySpan<byte> a, int ia, ReadOnlySpan<byte> b, int ib, int spatial2, float w2) =>
        MathF.Sqrt(spatial2 + w2 * NeighbourContrast.Distance2(a, ia, b, ib));
}
