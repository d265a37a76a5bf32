using OpenCvSharp;
using PdnSegmentation.Scissors;

namespace PdnSegmentation.Evaluation;

/// <summary>
/// The outline a hurried user draws around a ground-truth object, for benchmarking Snap to Edges: each part's contour
/// simplified to a vertex every <c>spacing</c> px of its length, each vertex displaced by up to ± <c>jitter</c> px in x
/// and y (uniform, integer, from a fixed seed). Parts under 2 % of the largest (specks) are left out.
/// </summary>
public static class HurriedOutline
{
    /// <param name="truth">Ground truth, object where ≥ 128.</param>
    public static IReadOnlyList<Outline> FromTruth(ReadOnlySpan<byte> truth, int width, int height, int seed, double spacing = 40, int jitter = 6)
    {
        var objectBits = new byte[width * height];
        for (int i = 0; i < objectBits.Length; i++) objectBits[i] = truth[i] >= 128 ? (byte)1 : (byte)0;
        Point[][] contours;
        unsafe
        {
            fixed (byte* bits = objectBits)
            {
                using var source = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)bits, width);
                Cv2.FindContours(source, out contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
            }
        }
        double largest = contours.Length == 0 ? 0 : contours.Max(c => Cv2.ContourArea(c));
        var random = new Random(seed);
        var outlines = new List<Outline>();
        foreach (var contour in contours.Where(c => Cv2.ContourArea(c) >= Math.Max(64, 0.02 * largest)))
        {
            var vertices = new List<(double X, double Y)>();
            double travelled = 0, next = 0;
            for (int i = 0; i < contour.Length; i++)
            {
                if (i > 0) travelled += Math.Sqrt(Math.Pow(contour[i].X - contour[i - 1].X, 2) + Math.Pow(contour[i].Y - contour[i - 1].Y, 2));
                if (travelled < next) continue;
                next += spacing;
                int x = Math.Clamp(contour[i].X + random.Next(-jitter, jitter + 1), 0, width - 1);
                int y = Math.Clamp(contour[i].Y + random.Next(-jitter, jitter + 1), 0, height - 1);
                vertices.Add((x, y));
            }
            if (vertices.Count >= 3) outlines.Add(new Outline(vertices));
        }
        return outlines;
    }

    /// <summary>A seed from an image's name that is the same in every run and process (FNV-1a; string.GetHashCode is randomised).</summary>
    public static int SeedFor(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name) hash = (hash ^ c) * 16777619;
        return (int)(hash & 0x7FFFFFFF);
    }
}
