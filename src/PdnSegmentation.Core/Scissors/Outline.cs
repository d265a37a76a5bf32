using OpenCvSharp;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Scissors;

/// <summary>
/// A closed outline the user drew around an object (a lasso, a polygon, a rectangle), in pixel coordinates: the point
/// (x, y) is the centre of pixel column x, row y. A hole's outline encloses background inside an object (a selection
/// with a hole); the last point joins the first.
/// </summary>
public sealed record Outline(IReadOnlyList<(double X, double Y)> Points, bool IsHole = false)
{
    /// <summary>
    /// The outlines of a mask's parts and holes (e.g. a Paint.NET selection): each part's outer boundary and each hole's,
    /// traced through the boundary pixels and simplified to within <paramref name="tolerance"/> px, so that the
    /// vertices are the lasso's corners rather than its pixel steps. Parts smaller than <paramref name="minArea"/>
    /// pixels (specks of an antialiased edge) are left out.
    /// </summary>
    public static IReadOnlyList<Outline> FromMask(Mask mask, double tolerance = 1.0, int minArea = 9)
    {
        var outlines = new List<Outline>();
        unsafe
        {
            fixed (byte* bits = mask.Bits)
            {
                using var source = Mat.FromPixelData(mask.Height, mask.Width, MatType.CV_8UC1, (IntPtr)bits, mask.Width);
                // FindContours reads the mask as zero / non-zero, so the 0/1 bits need no conversion.
                Cv2.FindContours(source, out var contours, out var hierarchy, RetrievalModes.CComp, ContourApproximationModes.ApproxNone);
                for (int i = 0; i < contours.Length; i++)
                {
                    if (contours[i].Length < 3 || Math.Abs(Cv2.ContourArea(contours[i])) < minArea) continue;
                    var simplified = Cv2.ApproxPolyDP(contours[i], tolerance, closed: true);
                    if (simplified.Length < 3) continue;
                    // RETR_CCOMP: top-level contours (no parent) are outer boundaries, their children are holes.
                    bool hole = hierarchy[i].Parent >= 0;
                    outlines.Add(new Outline(simplified.Select(p => ((double)p.X, (double)p.Y)).ToArray(), hole));
                }
            }
        }
        return outlines;
    }

    /// <summary>The outline's length in pixels (the closing edge included).</summary>
    public double Length
    {
        get
        {
            double sum = 0;
            for (int i = 0; i < Points.Count; i++)
            {
                var (x0, y0) = Points[i];
                var (x1, y1) = Points[(i + 1) % Points.Count];
                sum += Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
            }
            return sum;
        }
    }

    /// <summary>The rectangle's outline through its border pixels.</summary>
    public static Outline FromRectangle(PixelRect rect) => new(
    [
        (rect.X, rect.Y), (rect.Right - 1, rect.Y), (rect.Right - 1, rect.Bottom - 1), (rect.X, rect.Bottom - 1),
    ]);
}
