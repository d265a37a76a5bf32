using OpenCvSharp;
using OpenCvSharp.Segmentation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Scissors;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// The peer: OpenCV's <c>cv::segmentation::IntelligentScissorsMB</c> with its default features and weights, run
/// in-process between the outline's own vertices (a shortest-path map from each vertex, the path to the next).
/// </summary>
public static class OpenCvScissors
{
    public static Mask Snap(ColorImage image, IReadOnlyList<Outline> outlines)
    {
        using var bgr = OpenCvGrabCut.ToBgr(image);
        using var tool = new IntelligentScissorsMB();
        tool.ApplyImage(bgr);
        var snapped = new List<SnappedOutline>();
        foreach (var outline in outlines)
        {
            var anchors = outline.Points.Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray();
            var path = new List<(int X, int Y)>();
            for (int i = 0; i < anchors.Length; i++)
            {
                tool.BuildMap(anchors[i]);
                using var contour = new Mat();
                tool.GetContour(anchors[(i + 1) % anchors.Length], contour);
                var points = new Point[contour.Rows * contour.Cols];
                if (points.Length > 0) contour.GetArray(out points);
                // The contour runs from the map's source to the target; the target starts the next piece.
                foreach (var p in points.Take(points.Length - 1)) path.Add((p.X, p.Y));
            }
            snapped.Add(new SnappedOutline(path, outline.IsHole));
        }
        return EdgeSnapping.Fill(snapped, image.Width, image.Height);
    }

    /// <summary>Milliseconds of applyImage and of one anchor's buildMap + getContour (for photos too large to run whole).</summary>
    public static (double ApplyMs, double AnchorMs) TimeOneAnchor(ColorImage image, Outline outline)
    {
        using var bgr = OpenCvGrabCut.ToBgr(image);
        using var tool = new IntelligentScissorsMB();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        tool.ApplyImage(bgr);
        double apply = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        tool.BuildMap(new Point((int)outline.Points[0].X, (int)outline.Points[0].Y));
        using var contour = new Mat();
        tool.GetContour(new Point((int)outline.Points[1].X, (int)outline.Points[1].Y), contour);
        return (apply, watch.Elapsed.TotalMilliseconds);
    }
}
