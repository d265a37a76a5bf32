using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.LazySnapping;

public class LazySnappingTests
{
    private static Mask Stroke(int w, int h, int x0, int y0, int x1, int y1, int thickness = 2)
    {
        var m = new Mask(w, h);
        int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)) + 1;
        for (int k = 0; k <= steps; k++)
        {
            int cx = x0 + (x1 - x0) * k / steps, cy = y0 + (y1 - y0) * k / steps;
            for (int dy = -thickness; dy <= thickness; dy++)
                for (int dx = -thickness; dx <= thickness; dx++)
                    if ((uint)(cx + dx) < (uint)w && (uint)(cy + dy) < (uint)h) m[cx + dx, cy + dy] = true;
        }
        return m;
    }

    [Fact]
    public void ATwoColourImageWithOneStrokeEachIsSegmentedExactly()
    {
        // A blue blob with a wavy outline on orange; one short stroke inside, one outside.
        int w = 120, h = 90;
        var image = new ColorImage(w, h);
        var truth = new Mask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double dx = (x - 60) / 35.0, dy = (y - 45) / 25.0, r = 1 + 0.15 * Math.Sin(5 * Math.Atan2(dy, dx));
                bool inside = dx * dx + dy * dy < r * r;
                truth[x, y] = inside;
                image[x, y] = inside ? new Bgra32(200, 80, 30, 255) : new Bgra32(30, 140, 230, 255);
            }
        var session = new LazySnapSession(image);
        var result = session.Segment(new ScribbleMasks(Stroke(w, h, 50, 45, 70, 45), Stroke(w, h, 5, 5, 30, 10)));
        Assert.Equal(truth.Bits.ToArray(), result.Foreground.Bits.ToArray());
    }

    [Fact]
    public void StrokedPixelsAlwaysKeepTheirLabel()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 7);
        int w = 160, h = 120;
        // Deliberately careless strokes: the object stroke runs out into the background, the background stroke in.
        var fg = Stroke(w, h, 40, 60, 150, 60, 1);
        var bg = Stroke(w, h, 5, 5, 80, 100, 1);
        for (int i = 0; i < fg.Bits.Length; i++) if (fg.Bits[i] != 0) bg.Bits[i] = 0;
        var result = new LazySnapSession(scene.Image).Segment(new ScribbleMasks(fg, bg)).Foreground;
        for (int i = 0; i < fg.Bits.Length; i++)
        {
            if (fg.Bits[i] != 0) Assert.Equal(1, result.Bits[i]);
            if (bg.Bits[i] != 0) Assert.Equal(0, result.Bits[i]);
        }
    }

    [Fact]
    public void SegmentsAClutteredSceneFromAFewStrokes()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 150, 8);
        var box = scene.Truth.Bounds();
        int cx = box.X + box.Width / 2, cy = box.Y + box.Height / 2;
        var fg = Stroke(200, 150, cx - box.Width / 5, cy, cx + box.Width / 5, cy);
        var bg = Stroke(200, 150, 3, 3, 196, 3);
        bg.Bits.ToArray();
        var more = Stroke(200, 150, 3, 146, 196, 146);
        for (int i = 0; i < bg.Bits.Length; i++) bg.Bits[i] |= more.Bits[i];
        var result = new LazySnapSession(scene.Image).Segment(new ScribbleMasks(fg, bg));
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.95, $"IoU {SyntheticScene.IoU(result.Foreground, scene.Truth):F3}");
    }

    [Fact]
    public void RegionCutAndPixelCutAgreeAwayFromRegionBoundaries()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 9);
        var box = scene.Truth.Bounds();
        int cx = box.X + box.Width / 2, cy = box.Y + box.Height / 2;
        var session = new LazySnapSession(scene.Image, new LazySnapOptions { PixelRefinement = false });
        var strokes = new ScribbleMasks(Stroke(160, 120, cx - 15, cy, cx + 15, cy), Stroke(160, 120, 2, 2, 157, 2));
        var regionLevel = session.Segment(strokes).Foreground;
        var pixelLevel = session.CutAllPixels();
        var labels = session.Regions.Labels;
        int compared = 0, agree = 0;
        for (int y = 2; y < 118; y++)
            for (int x = 2; x < 158; x++)
            {
                int i = y * 160 + x;
                bool interior = true;
                for (int dy = -2; dy <= 2 && interior; dy++)
                    for (int dx = -2; dx <= 2 && interior; dx++)
                        interior = labels[i + dy * 160 + dx] == labels[i];
                if (!interior) continue;
                compared++;
                if (regionLevel.Bits[i] == pixelLevel.Bits[i]) agree++;
            }
        Assert.True(compared > 2000, $"only {compared} interior pixels");
        Assert.True(agree >= 0.99 * compared, $"agree on {agree} of {compared}");
    }

    [Fact]
    public void AnAddedStrokeGivesWhatSegmentingWithAllStrokesGives()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 10);
        var box = scene.Truth.Bounds();
        int cx = box.X + box.Width / 2, cy = box.Y + box.Height / 2;
        var fg = Stroke(160, 120, cx - 10, cy, cx + 10, cy);
        var bg = Stroke(160, 120, 2, 2, 157, 2);
        var extra = Stroke(160, 120, 2, 117, 157, 117);
        var session = new LazySnapSession(scene.Image);
        var before = session.Segment(new ScribbleMasks(fg, bg));
        var after = session.AddStroke(extra, foreground: false);
        var union = bg.Clone();
        for (int i = 0; i < union.Bits.Length; i++) union.Bits[i] |= extra.Bits[i];
        var fresh = new LazySnapSession(scene.Image).Segment(new ScribbleMasks(fg, union));
        Assert.Equal(fresh.Foreground.Bits.ToArray(), after.Foreground.Bits.ToArray());
        Assert.Equal(fresh.RegionLevel.Bits.ToArray(), after.RegionLevel.Bits.ToArray());
        Assert.True(SyntheticScene.IoU(after.Foreground, scene.Truth) >= SyntheticScene.IoU(before.Foreground, scene.Truth) - 1e-9);
    }

    [Fact]
    public void BoundaryEditingPullsTheCutOntoTheDrawnBoundary()
    {
        // Left third blue, right third orange, a flat grey middle third: colour cannot say where the object ends
        // in the grey. The user drags the boundary to x = 52: a polygon around the left part.
        int w = 120, h = 60;
        var image = new ColorImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                image[x, y] = x < 40 ? new Bgra32(200, 80, 30, 255) : x < 80 ? new Bgra32(128, 128, 128, 255) : new Bgra32(30, 140, 230, 255);
        var session = new LazySnapSession(image, new LazySnapOptions { EditBand = 10 });
        session.Segment(new ScribbleMasks(Stroke(w, h, 10, 10, 10, 50), Stroke(w, h, 110, 10, 110, 50)));
        var edited = session.EditBoundary([(-1, -1), (52, -1), (52, 61), (-1, 61)]).Foreground;
        for (int y = 0; y < h; y++)
        {
            int edge = 0;
            while (edge < w && edited[edge, y]) edge++;
            Assert.InRange(edge, 52, 53);
            for (int x = edge; x < w; x++) Assert.False(edited[x, y]);
        }
    }

    [Fact]
    public void BadStrokesAreRejectedWithClearMessages()
    {
        var scene = SyntheticScene.ObjectOnClutter(60, 40, 11);
        var session = new LazySnapSession(scene.Image);
        var some = Stroke(60, 40, 5, 5, 20, 5);
        Assert.Contains("no foreground stroke", Assert.Throws<SegmentationInputException>(() => session.Segment(new ScribbleMasks(new Mask(60, 40), some))).Message);
        Assert.Contains("no background stroke", Assert.Throws<SegmentationInputException>(() => session.Segment(new ScribbleMasks(some, new Mask(60, 40)))).Message);
        Assert.Contains("both", Assert.Throws<SegmentationInputException>(() => session.Segment(new ScribbleMasks(some, some))).Message);
        Assert.Throws<ImageSizeMismatchException>(() => session.Segment(new ScribbleMasks(new Mask(30, 40), some)));
        Assert.Throws<InvalidOperationException>(() => session.AddStroke(some, true));
    }

    [Fact]
    public void ScribbleImagesAreReadByColour()
    {
        var image = new ColorImage(4, 1);
        image[0, 0] = Bgra32.FromRgb(255, 255, 207);
        image[1, 0] = Bgra32.FromRgb(219, 0, 0);
        image[2, 0] = Bgra32.FromRgb(0, 0, 0);
        image[3, 0] = Bgra32.FromRgb(250, 255, 210);
        var exact = ScribbleMasks.FromColorImage(image, Bgra32.FromRgb(255, 255, 207), Bgra32.FromRgb(219, 0, 0));
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, exact.Foreground.Bits.ToArray());
        Assert.Equal(new byte[] { 0, 1, 0, 0 }, exact.Background.Bits.ToArray());
        var tolerant = ScribbleMasks.FromColorImage(image, Bgra32.FromRgb(255, 255, 207), Bgra32.FromRgb(219, 0, 0), tolerance: 5);
        Assert.Equal(new byte[] { 1, 0, 0, 1 }, tolerant.Foreground.Bits.ToArray());
    }
}
