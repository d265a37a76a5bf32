using PdnSegmentation.Imaging;

namespace PdnSegmentation.LazySnapping;

/// <summary>A user-edited object boundary (closed polygon, pixel coordinates) as a line mask and as a filled region.</summary>
internal static class BoundaryPolygon
{
    /// <summary>Every pixel the polygon's edges pass through (sampled at quarter-pixel steps).</summary>
    public static byte[] Rasterize(IReadOnlyList<(double X, double Y)> points, int width, int height)
    {
        var line = new byte[width * height];
        for (int s = 0; s < points.Count; s++)
        {
            var (x0, y0) = points[s];
            var (x1, y1) = points[(s + 1) % points.Count];
            if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1))
                throw new SegmentationInputException("A boundary point is not a finite number.");
            int steps = (int)Math.Ceiling(4 * Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))) + 1;
            for (int k = 0; k <= steps; k++)
            {
                double t = (double)k / steps;
                int x = (int)Math.Floor(x0 + t * (x1 - x0)), y = (int)Math.Floor(y0 + t * (y1 - y0));
                if ((uint)x < (uint)width && (uint)y < (uint)height) line[y * width + x] = 1;
            }
        }
        return line;
    }

    /// <summary>Pixels whose centre lies inside the polygon (even–odd rule, one scanline per row).</summary>
    public static Mask Fill(IReadOnlyList<(double X, double Y)> points, int width, int height)
    {
        var mask = new Mask(width, height);
        var crossings = new List<double>();
        for (int y = 0; y < height; y++)
        {
            double cy = y + 0.5;
            crossings.Clear();
            for (int s = 0; s < points.Count; s++)
            {
                var (x0, y0) = points[s];
                var (x1, y1) = points[(s + 1) % points.Count];
                if ((y0 <= cy) == (y1 <= cy)) continue;
                crossings.Add(x0 + (cy - y0) / (y1 - y0) * (x1 - x0));
            }
            crossings.Sort();
            for (int k = 0; k + 1 < crossings.Count; k += 2)
            {
                int from = Math.Max(0, (int)Math.Ceiling(crossings[k] - 0.5)), to = Math.Min(width - 1, (int)Math.Ceiling(crossings[k + 1] - 0.5) - 1);
                for (int x = from; x <= to; x++) mask[x, y] = true;
            }
        }
        return mask;
    }
}
