using PdnSegmentation.Imaging;
using PdnSegmentation.Scissors;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Scissors;

public class EdgeSnappingTests
{
    /// <summary>An object (where <paramref name="inside"/>) of one colour on a background of another, with Gaussian noise.</summary>
    private static (ColorImage Image, Mask Truth) Scene(int w, int h, Func<int, int, bool> inside, int seed = 1, double noise = 6)
    {
        var random = new Random(seed);
        var image = new ColorImage(w, h);
        var truth = new Mask(w, h);
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                bool o = inside(x, y);
                truth[x, y] = o;
                // Object reddish, background bluish-grey with a gentle gradient (not a flat colour).
                double b = o ? 60 : 150 + 0.2 * x, g = o ? 90 : 140, r = o ? 200 : 110 + 0.1 * y;
                row[4 * x] = Noisy(b); row[4 * x + 1] = Noisy(g); row[4 * x + 2] = Noisy(r); row[4 * x + 3] = 255;
            }
        }
        return (image, truth);

        byte Noisy(double v)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            return (byte)Math.Clamp(Math.Round(v + noise * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)), 0, 255);
        }
    }

    private static Func<int, int, bool> Ellipse(double cx, double cy, double rx, double ry) =>
        (x, y) => (x - cx) * (x - cx) / (rx * rx) + (y - cy) * (y - cy) / (ry * ry) <= 1;

    /// <summary>A hurried outline: <paramref name="count"/> vertices on an ellipse, each moved by up to ±<paramref name="jitter"/> px.</summary>
    private static Outline RoughEllipse(double cx, double cy, double rx, double ry, int count, int jitter, int seed, bool hole = false)
    {
        var random = new Random(seed);
        var points = Enumerable.Range(0, count).Select(k =>
        {
            double t = 2 * Math.PI * k / count;
            return (cx + rx * Math.Cos(t) + random.Next(-jitter, jitter + 1), cy + ry * Math.Sin(t) + random.Next(-jitter, jitter + 1));
        }).ToArray();
        return new Outline(points, hole);
    }

    /// <summary>Pixels on either side of the truth's step edge (4-neighbourhood).</summary>
    private static float[] DistanceToEdge(Mask truth)
    {
        int w = truth.Width, h = truth.Height;
        var edge = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool v = truth[x, y];
                if ((x > 0 && truth[x - 1, y] != v) || (x + 1 < w && truth[x + 1, y] != v) || (y > 0 && truth[x, y - 1] != v) || (y + 1 < h && truth[x, y + 1] != v))
                    edge[y * w + x] = 1;
            }
        return PixelMaps.DistanceToTargets(edge, w, h);
    }

    private static double DistanceToPolyline(IReadOnlyList<(double X, double Y)> polygon, double px, double py)
    {
        double best = double.PositiveInfinity;
        for (int i = 0; i < polygon.Count; i++)
        {
            var (ax, ay) = polygon[i];
            var (bx, by) = polygon[(i + 1) % polygon.Count];
            double ex = bx - ax, ey = by - ay, t = Math.Clamp(((px - ax) * ex + (py - ay) * ey) / (ex * ex + ey * ey), 0, 1);
            double dx = ax + t * ex - px, dy = ay + t * ey - py;
            best = Math.Min(best, Math.Sqrt(dx * dx + dy * dy));
        }
        return best;
    }

    [Theory]
    [InlineData(4, 1)]   // drawn outside the object
    [InlineData(-4, 2)]  // drawn inside it
    public void TheSnappedContourLiesOnTheTrueEdgeWithinAPixel(int offset, int seed)
    {
        var (image, truth) = Scene(240, 180, Ellipse(120, 90, 80, 55), seed);
        // Every part of the true edge is within the default 8 px corridor: 4 px offset, ±2 px jitter, under 2 px of chord sag.
        var rough = RoughEllipse(120, 90, 80 + offset, 55 + offset, 16, 2, seed);
        var result = EdgeSnapping.Snap(image, [rough]);

        var distance = DistanceToEdge(truth);
        var path = Assert.Single(result.Outlines).Path;
        double worst = path.Max(p => distance[p.Y * image.Width + p.X]);
        Assert.True(worst <= 1, $"a path pixel is {worst:F2} px from the true edge");
        double iou = SyntheticScene.IoU(result.Foreground, truth);
        Assert.True(iou > 0.98, $"IoU {iou:F4}");
        // The raw outline was clearly worse: the snap did the work.
        var raw = EdgeSnapping.FillDrawn([rough], image.Width, image.Height);
        Assert.True(SyntheticScene.IoU(raw, truth) < 0.95);
        // Consecutive path pixels are 8-neighbours, and the path closes.
        for (int i = 0; i < path.Count; i++)
        {
            var (a, b) = (path[i], path[(i + 1) % path.Count]);
            Assert.True(Math.Max(Math.Abs(a.X - b.X), Math.Abs(a.Y - b.Y)) == 1, $"path breaks between {a} and {b}");
        }
    }

    [Fact]
    public void ThePathNeverLeavesItsCorridor()
    {
        // The object's edge is 12 px beyond the outline, out of a 5 px corridor's reach: the path must stay inside it.
        var (image, truth) = Scene(240, 180, Ellipse(120, 90, 80, 55), 3);
        var rough = RoughEllipse(120, 90, 68, 43, 12, 2, 3);
        var options = new EdgeSnapOptions { Corridor = 5 };
        var path = Assert.Single(EdgeSnapping.Snap(image, [rough], options).Outlines).Path;
        double farthest = path.Max(p => DistanceToPolyline(rough.Points, p.X, p.Y));
        Assert.True(farthest <= options.Corridor, $"a path pixel is {farthest:F2} px from the drawn outline");
        // With a corridor wide enough, the same outline reaches the edge.
        var wide = EdgeSnapping.Snap(image, [rough], new EdgeSnapOptions { Corridor = 16 });
        Assert.True(SyntheticScene.IoU(wide.Foreground, truth) > 0.97);
    }

    [Fact]
    public void EveryPartAndHoleOfASelectionIsSnapped()
    {
        // A ring (object with a hole) and a disc; the selection is a loose version of both, the hole drawn smaller.
        bool Object(int x, int y) => (Ellipse(70, 70, 45, 45)(x, y) && !Ellipse(70, 70, 18, 18)(x, y)) || Ellipse(185, 70, 30, 30)(x, y);
        bool Selected(int x, int y) => (Ellipse(70, 70, 50, 49)(x, y) && !Ellipse(70, 70, 13, 14)(x, y)) || Ellipse(185, 70, 35, 34)(x, y);
        var (image, truth) = Scene(240, 140, Object, 4);
        var selection = new Mask(240, 140);
        for (int y = 0; y < 140; y++) for (int x = 0; x < 240; x++) selection[x, y] = Selected(x, y);

        var outlines = Outline.FromMask(selection);
        Assert.Equal(3, outlines.Count);
        Assert.Single(outlines, o => o.IsHole);
        var result = EdgeSnapping.Snap(image, outlines);
        double iou = SyntheticScene.IoU(result.Foreground, truth);
        // The paths run on edge pixels of either side of these sharp synthetic edges (all filled), so a one-pixel rim may
        // be added: IoU 0.95 is that rim around a ring and a disc; the path check below is the exact one.
        Assert.True(iou > 0.95, $"IoU {iou:F4}");
        Assert.False(result.Foreground[70, 70]); // the hole stays background
        var distance = DistanceToEdge(truth);
        foreach (var outline in result.Outlines)
            Assert.True(outline.Path.Max(p => distance[p.Y * 240 + p.X]) <= 1);
    }

    [Fact]
    public void TheResultDoesNotDependOnTheNumberOfThreads()
    {
        var (image, _) = Scene(200, 160, Ellipse(100, 80, 60, 50), 5, noise: 12);
        var rough = RoughEllipse(100, 80, 64, 54, 16, 4, 5);
        var one = EdgeSnapping.Snap(image, [rough], new EdgeSnapOptions { MaxDegreeOfParallelism = 1 });
        var many = EdgeSnapping.Snap(image, [rough], new EdgeSnapOptions { MaxDegreeOfParallelism = 4 });
        Assert.Equal(one.Outlines[0].Path, many.Outlines[0].Path);
        Assert.Equal(one.Foreground.ToBytes(), many.Foreground.ToBytes());
    }

    [Fact]
    public void AnOutlineAlongTheImageBorderStillSnaps()
    {
        // The object touches the left border and the outline runs off the image: clamped, snapped, no exception.
        var (image, truth) = Scene(200, 160, (x, y) => x < 90 && y > 30 && y < 130, 6);
        var rough = new Outline([(-10, 25), (96, 27), (94, 134), (-10, 136)]);
        var result = EdgeSnapping.Snap(image, [rough]);
        Assert.True(SyntheticScene.IoU(result.Foreground, truth) > 0.95);
    }

    [Fact]
    public void ProgressRisesToOneAndCancellationStops()
    {
        var (image, _) = Scene(200, 160, Ellipse(100, 80, 60, 50), 7);
        var rough = RoughEllipse(100, 80, 64, 54, 16, 3, 7);
        var reports = new List<double>();
        EdgeSnapping.Snap(image, [rough], null, new SynchronousProgress(reports.Add));
        Assert.Equal(1, reports[^1], 6);
        for (int i = 1; i < reports.Count; i++) Assert.True(reports[i] >= reports[i - 1] - 1e-12);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => EdgeSnapping.Snap(image, [rough], null, null, cancelled.Token));
    }

    [Fact]
    public void BadOutlinesAreRefusedWithAMessage()
    {
        var (image, _) = Scene(100, 80, Ellipse(50, 40, 20, 20));
        Assert.Contains("no outline", Assert.Throws<SegmentationInputException>(() => EdgeSnapping.Snap(image, [])).Message);
        Assert.Contains("three distinct points", Assert.Throws<SegmentationInputException>(() =>
            EdgeSnapping.Snap(image, [new Outline([(1, 1), (50, 50), (1, 1)])])).Message);
        Assert.Contains("encloses no area", Assert.Throws<SegmentationInputException>(() =>
            EdgeSnapping.Snap(image, [new Outline([(1, 1), (20, 20), (40, 40)])])).Message);
        Assert.Contains("hole", Assert.Throws<SegmentationInputException>(() =>
            EdgeSnapping.Snap(image, [RoughEllipse(50, 40, 20, 20, 8, 0, 1, hole: true)])).Message);
        Assert.Contains("corridor", Assert.Throws<SegmentationInputException>(() =>
            EdgeSnapping.Snap(image, [RoughEllipse(50, 40, 20, 20, 8, 0, 1)], new EdgeSnapOptions { Corridor = 0 })).Message);
        Assert.Contains("not a finite number", Assert.Throws<SegmentationInputException>(() =>
            EdgeSnapping.Snap(image, [new Outline([(1, 1), (double.NaN, 50), (40, 4)])])).Message);
    }

    [Fact]
    public void ARectangleSelectionIsOneOutlineThroughItsBorderPixels()
    {
        var rect = new PixelRect(10, 20, 30, 15);
        var outlines = Outline.FromMask(Mask.FromRectangle(80, 60, rect));
        var outline = Assert.Single(outlines);
        Assert.False(outline.IsHole);
        Assert.Equal(Outline.FromRectangle(rect).Points.OrderBy(p => p).ToArray(), outline.Points.OrderBy(p => p).ToArray());
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
