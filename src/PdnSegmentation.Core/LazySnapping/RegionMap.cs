using PdnSegmentation.Imaging;

namespace PdnSegmentation.LazySnapping;

/// <summary>An over-segmentation: every pixel's region (0..Count−1), row-major.</summary>
public sealed class RegionMap
{
    public int Width { get; }
    public int Height { get; }
    public int Count { get; }
    public int[] Labels { get; }

    public RegionMap(int width, int height, int[] labels, int count)
    {
        if (labels.Length != width * height) throw new ArgumentException("One label per pixel is needed.", nameof(labels));
        Width = width;
        Height = height;
        Labels = labels;
        Count = count;
    }

    /// <summary>
    /// Watershed pre-segmentation (the first step of Lazy Snapping): markers on a grid every
    /// <paramref name="spacing"/> pixels, each moved to the lowest colour gradient in its 3×3 neighbourhood so it
    /// does not sit on an edge, flooded by OpenCV's watershed; the one-pixel watershed lines are then given to the
    /// neighbouring region of most similar colour.
    /// </summary>
    public static RegionMap Watershed(ColorImage image, int spacing, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spacing, 2);
        int w = image.Width, h = image.Height;
        var markers = new int[w * h];
        int label = 0;
        for (int cy = spacing / 2; cy < h; cy += spacing)
            for (int cx = spacing / 2; cx < w; cx += spacing)
            {
                int bx = cx, by = cy;
                double best = double.PositiveInfinity;
                for (int y = Math.Max(1, cy - 1); y <= Math.Min(h - 2, cy + 1); y++)
                    for (int x = Math.Max(1, cx - 1); x <= Math.Min(w - 2, cx + 1); x++)
                    {
                        double g = Gradient(image, x, y);
                        if (g < best) { best = g; bx = x; by = y; }
                    }
                markers[by * w + bx] = ++label;
            }
        cancellationToken.ThrowIfCancellationRequested();
        PixelMaps.Watershed(image, markers);
        cancellationToken.ThrowIfCancellationRequested();

        // Watershed lines (−1) join the most similar labelled 4-neighbour; lines meeting lines need a few passes.
        bool pending = true;
        while (pending)
        {
            pending = false;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    if (markers[i] > 0) continue;
                    int bestLabel = 0;
                    int bestDistance = int.MaxValue;
                    var c = image[x, y];
                    Consider(x - 1, y); Consider(x + 1, y); Consider(x, y - 1); Consider(x, y + 1);
                    if (bestLabel > 0) markers[i] = -bestLabel - 1; // assigned this pass: not yet usable by others
                    else pending = true;

                    void Consider(int nx, int ny)
                    {
                        if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) return;
                        int m = markers[ny * w + nx];
                        if (m <= 0) return;
                        var n = image[nx, ny];
                        int d = (c.B - n.B) * (c.B - n.B) + (c.G - n.G) * (c.G - n.G) + (c.R - n.R) * (c.R - n.R);
                        if (d < bestDistance) { bestDistance = d; bestLabel = m; }
                    }
                }
            for (int i = 0; i < markers.Length; i++) if (markers[i] < -1) markers[i] = -markers[i] - 1;
        }
        // Labels 1..N → 0..N−1, dropping any marker that flooded nothing.
        var remap = new int[label + 1];
        Array.Fill(remap, -1);
        int count = 0;
        for (int i = 0; i < markers.Length; i++)
        {
            int m = markers[i];
            if (remap[m] < 0) remap[m] = count++;
            markers[i] = remap[m];
        }
        return new RegionMap(w, h, markers, count);
    }

    private static double Gradient(ColorImage image, int x, int y)
    {
        var l = image[x - 1, y]; var r = image[x + 1, y]; var u = image[x, y - 1]; var d = image[x, y + 1];
        return Math.Abs(l.B - r.B) + Math.Abs(l.G - r.G) + Math.Abs(l.R - r.R) + Math.Abs(u.B - d.B) + Math.Abs(u.G - d.G) + Math.Abs(u.R - d.R);
    }
}
