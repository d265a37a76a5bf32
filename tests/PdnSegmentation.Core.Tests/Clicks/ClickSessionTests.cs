using PdnSegmentation.Clicks;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Clicks;

public class ClickSessionTests
{
    private static readonly ClickSelectionOptions Options = new();

    /// <summary>The automatic user's clicks on a scene until the IoU reaches the target (or 10 clicks).</summary>
    private static (List<Click> Clicks, List<double> IoU) Protocol(ColorImage image, Mask truth, ClickSession session, double target = 0.97)
    {
        var protocol = new ClickProtocol(image.Width, image.Height, truth.ToBytes());
        var prediction = new Mask(image.Width, image.Height);
        var clicks = new List<Click>();
        var ious = new List<double>();
        while (clicks.Count < 10 && (ious.Count == 0 || ious[^1] < target) && protocol.Next(prediction) is { } click)
        {
            clicks.Add(click);
            prediction = session.Add(click);
            ious.Add(protocol.IoU(prediction));
        }
        return (clicks, ious);
    }

    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    public void AFewClicksSelectTheObject(int seed)
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, seed);
        var (_, ious) = Protocol(scene.Image, scene.Truth, new ClickSession(scene.Image, Options));
        Assert.True(ious[^1] >= 0.97 && ious.Count <= 4, $"IoU after each click: {string.Join(", ", ious.Select(v => v.ToString("F3")))}");
    }

    [Fact]
    public void AddingClicksOneByOneGivesTheMaskOfGivingThemAllAtOnce()
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 53, noise: 20);
        var bounds = scene.Truth.Bounds();
        int cx = bounds.X + bounds.Width / 2, cy = bounds.Y + bounds.Height / 2;
        List<Click> clicks = [new(cx, cy, true), new(8, 8, false), new(cx - bounds.Width / 4, cy, true), new(230, 170, false), new(cx, cy + bounds.Height / 4, true)];
        var oneByOne = new ClickSession(scene.Image, Options);
        Mask? last = null;
        foreach (var click in clicks) last = oneByOne.Add(click);
        var allAtOnce = new ClickSession(scene.Image, Options).AddRange(clicks);
        Assert.Equal(last!.ToBytes(), allAtOnce.ToBytes());
        // In two batches, too.
        var twoBatches = new ClickSession(scene.Image, Options);
        twoBatches.AddRange(clicks.Take(2));
        Assert.Equal(allAtOnce.ToBytes(), twoBatches.AddRange(clicks.Skip(2)).ToBytes());
    }

    [Fact]
    public void ClickedPixelsKeepTheirLabelEvenWhenTheyAreWrong()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 150, 54);
        var bounds = scene.Truth.Bounds();
        var clicks = new List<Click>
        {
            new(bounds.X + bounds.Width / 2, bounds.Y + bounds.Height / 2, true),
            new(5, 5, true),                                   // an object click on the background
            new(bounds.X + bounds.Width / 2 + 3, bounds.Y + bounds.Height / 2 + 2, false), // a background click on the object, beside the first
            new(190, 140, false),
        };
        var mask = new ClickSession(scene.Image, Options).AddRange(clicks);
        foreach (var c in clicks) Assert.Equal(c.Positive, mask[c.X, c.Y]);
    }

    [Fact]
    public void ANegativeClickInsideAWronglyIncludedRegionRemovesIt()
    {
        // A red-and-orange disk (the object) touching an orange bar: the first click takes the bar too (orange is object
        // colour, and the bar is connected). A background click in the bar removes the bar from the click to its end and
        // the part of it the click reaches towards the disk; the disk's red half stays.
        const int w = 240, h = 160;
        var image = new ColorImage(w, h);
        var disk = new Mask(w, h);
        var random = new Random(7);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inDisk = (x - 80) * (x - 80) + (y - 80) * (y - 80) <= 40 * 40;
                bool inBar = x >= 118 && x < 220 && y >= 70 && y < 90;
                disk[x, y] = inDisk;
                int noise = random.Next(-6, 7);
                var red = new Bgra32((byte)(40 + noise), (byte)(40 + noise), (byte)(200 + noise), 255);
                var orange = new Bgra32((byte)(30 + noise), (byte)(140 + noise), (byte)(230 + noise), 255);
                image[x, y] = inDisk ? (x < 80 ? red : orange) : inBar ? orange : new Bgra32((byte)(150 + noise), (byte)(160 + noise), (byte)(60 + noise), 255);
            }
        var session = new ClickSession(image, Options);
        var first = session.Add(new Click(70, 80, true));
        Assert.True(first[180, 80] && first[100, 80], "the first click should take the disk and the bar");
        var second = session.Add(new Click(180, 80, false));
        for (int x = 170; x < 220; x++) Assert.False(second[x, 80], $"({x}, 80) is still selected");
        int barLeft = 0;
        for (int y = 70; y < 90; y++) for (int x = 118; x < 220; x++) if (second[x, y]) barLeft++;
        Assert.True(barLeft < 0.6 * 102 * 20, $"{barLeft} bar pixels are still selected");
        for (int x = 42; x < 78; x++) Assert.True(second[x, 80], $"({x}, 80) of the red half was lost");
    }

    [Fact]
    public void ABoxAloneCutsLikeGrabCutAndObjectClicksMustBeInsideIt()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 55);
        var session = new ClickSession(scene.Image, Options, scene.Box);
        var mask = session.AddRange([]);
        Assert.True(SegmentationScore.IntersectionOverUnion(mask, scene.Truth) > 0.95);
        for (int y = 0; y < 160; y++) for (int x = 0; x < 200; x++) if (!scene.Box.Contains(x, y)) Assert.False(mask[x, y]);
        var outside = Assert.Throws<SegmentationInputException>(() => session.Add(new Click(0, 0, true)));
        Assert.Contains("outside the box", outside.Message);
        Assert.Empty(session.Clicks); // a refused click is not taken
    }

    [Fact]
    public void BadInputIsRefusedWithWhatToDo()
    {
        var scene = SyntheticScene.ObjectOnClutter(120, 90, 56);
        var session = new ClickSession(scene.Image, Options);
        Assert.Contains("outside the 120×90 image", Assert.Throws<SegmentationInputException>(() => session.Add(new Click(120, 10, true))).Message);
        Assert.Contains("click on the object", Assert.Throws<SegmentationInputException>(() => session.Add(new Click(5, 5, false))).Message);
        Assert.Empty(session.Clicks);
        Assert.Null(session.Mask);
        Assert.Contains("lies outside the 120×90 image", Assert.Throws<SegmentationInputException>(() => new ClickSession(scene.Image, Options, new PixelRect(200, 200, 10, 10))).Message);
        Assert.Contains("is empty", Assert.Throws<SegmentationInputException>(() => new ClickSession(scene.Image, Options, new PixelRect(10, 10, 0, 5))).Message);
    }

    /// <summary>A model that is sure the object's left half is all there is.</summary>
    private sealed class LeftHalfPrior(Mask truth) : IClickPrior
    {
        public string Name => "left half";
        public int Calls { get; private set; }

        public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, Mask? selection, CancellationToken cancellationToken)
        {
            Calls++;
            var bounds = truth.Bounds();
            int middle = bounds.X + bounds.Width / 2;
            var p = new float[truth.Width * truth.Height];
            for (int i = 0; i < p.Length; i++) p[i] = truth.Bits[i] != 0 && i % truth.Width < middle ? 0.999f : 0.001f;
            return p;
        }
    }

    [Fact]
    public void AModelPriorGuidesTheCut()
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 57);
        var bounds = scene.Truth.Bounds();
        var click = new Click(bounds.X + bounds.Width / 4, bounds.Y + bounds.Height / 2, true);
        while (!scene.Truth[click.X, click.Y]) click = click with { X = click.X + 1 };
        var prior = new LeftHalfPrior(scene.Truth);
        var guided = new ClickSession(scene.Image, Options with { ModelPriorWeight = 4 }, null, prior).Add(click);
        var alone = new ClickSession(scene.Image, Options).Add(click);
        int middle = bounds.X + bounds.Width / 2;
        int RightPart(Mask m) { int n = 0; for (int y = 0; y < 180; y++) for (int x = middle + 3; x < 240; x++) if (m[x, y] && scene.Truth[x, y]) n++; return n; }
        Assert.Equal(1, prior.Calls);
        Assert.True(RightPart(guided) < RightPart(alone) / 4, $"right half pixels: guided {RightPart(guided)}, alone {RightPart(alone)}");
    }

    /// <summary>A model sure of a wrong outline: the clicked object and a patch of background beside it, at 0.99.</summary>
    private sealed class ConfidentPrior(Mask claimed) : IClickPrior
    {
        public string Name => "confident";

        public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, Mask? selection, CancellationToken cancellationToken)
        {
            var p = new float[claimed.Bits.Length];
            for (int i = 0; i < p.Length; i++) p[i] = claimed.Bits[i] != 0 ? 0.99f : 0.01f;
            return p;
        }
    }

    [Fact]
    public void AConfidentModelThatTheClicksContradictYieldsToThem()
    {
        // The model claims the disk and a block beside it. Background clicks in the block say the model is wrong there;
        // each halves the model's weight, and the clicks take the block back.
        const int w = 240, h = 140;
        var image = new ColorImage(w, h);
        var disk = new Mask(w, h);
        var claimed = new Mask(w, h);
        var random = new Random(4);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inDisk = (x - 80) * (x - 80) + (y - 70) * (y - 70) <= 45 * 45;
                bool inBlock = x >= 120 && x < 220 && y >= 20 && y < 120;
                disk[x, y] = inDisk;
                claimed[x, y] = inDisk || inBlock;
                int noise = random.Next(-8, 9);
                // The block's colour lies between the disk's and the background's: colour alone cannot place it.
                image[x, y] = inDisk ? new Bgra32((byte)(60 + noise), (byte)(90 + noise), (byte)(200 + noise), 255)
                    : inBlock ? new Bgra32((byte)(115 + noise), (byte)(120 + noise), (byte)(135 + noise), 255)
                    : new Bgra32((byte)(170 + noise), (byte)(150 + noise), (byte)(70 + noise), 255);
            }
        double IoUAfter(ClickSelectionOptions options)
        {
            var session = new ClickSession(image, options, null, new ConfidentPrior(claimed));
            session.Add(new Click(80, 70, true));
            session.Add(new Click(170, 70, false));
            var mask = session.Add(new Click(150, 50, false));
            return SyntheticScene.IoU(mask, disk);
        }
        double yielding = IoUAfter(Options), stubborn = IoUAfter(Options with { ContradictionDecay = 1 });
        Assert.True(yielding > 0.9, $"IoU {yielding:F3} with the model yielding");
        Assert.True(stubborn < yielding - 0.1, $"IoU {stubborn:F3} with a model that never yields, {yielding:F3} with one that does");
    }
}

/// <summary>The cut zooms onto the selection from the second click: a small, thin object gets the pixels it needs.</summary>
public class ClickZoomTests
{
    /// <summary>A small dark animal (body, head, four legs two pixels wide) on a light, noisy field, in a large photo.</summary>
    private static (ColorImage Image, Mask Truth) SmallAnimal()
    {
        const int w = 480, h = 360;
        var image = new ColorImage(w, h);
        var truth = new Mask(w, h);
        var random = new Random(7);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double bx = (x - 300) / 22.0, by = (y - 200) / 11.0, hx = (x - 326) / 6.0, hy = (y - 190) / 5.0;
                bool body = bx * bx + by * by <= 1 || hx * hx + hy * hy <= 1;
                bool leg = y >= 205 && y < 232 && (x is >= 284 and < 286 || x is >= 292 and < 294 || x is >= 306 and < 308 || x is >= 314 and < 316);
                truth[x, y] = body || leg;
                int n = random.Next(-12, 13);
                image[x, y] = truth[x, y] ? new Bgra32((byte)(40 + n), (byte)(45 + n), (byte)(60 + n), 255) : new Bgra32((byte)(150 + n), (byte)(180 + n), (byte)(200 + n), 255);
            }
        return (image, truth);
    }

    private static List<double> Protocol(ColorImage image, Mask truth, ClickSelectionOptions options, int clicks, ClickSession? session = null)
    {
        session ??= new ClickSession(image, options);
        var protocol = new ClickProtocol(image.Width, image.Height, truth.ToBytes());
        var prediction = new Mask(image.Width, image.Height);
        var ious = new List<double>();
        for (int k = 0; k < clicks && protocol.Next(prediction) is { } click; k++)
        {
            prediction = session.Add(click);
            ious.Add(protocol.IoU(prediction));
        }
        return ious;
    }

    [Fact]
    public void FromTheSecondClickTheCutRunsOnTheSelectionEnlarged()
    {
        var (image, truth) = SmallAnimal();
        var session = new ClickSession(image);
        var protocol = new ClickProtocol(480, 360, truth.ToBytes());
        var first = session.Add(protocol.Next(new Mask(480, 360))!.Value);
        Assert.Equal(new PixelRect(0, 0, 480, 360), session.WorkingFrame);
        session.Add(protocol.Next(first)!.Value);
        var frame = session.WorkingFrame;
        Assert.True(frame.Area < 480 * 360 / 10, $"frame {frame}");
        var bounds = truth.Bounds();
        Assert.True(frame.X <= bounds.X && frame.Y <= bounds.Y && frame.Right >= bounds.Right && frame.Bottom >= bounds.Bottom, $"frame {frame}, object {bounds}");
        // A background click far outside the frame is taken (outside the frame is background) without pulling the frame to it.
        var far = session.Add(new Click(10, 10, false));
        Assert.False(session.WorkingFrame.Contains(10, 10));
        Assert.False(far[10, 10]);
        Assert.True(SyntheticScene.IoU(far, truth) > 0.8);
    }

    [Fact]
    public void ZoomingInOutlinesAThinObjectBetterThanCuttingTheWholePhoto()
    {
        var (image, truth) = SmallAnimal();
        var zoomed = Protocol(image, truth, new ClickSelectionOptions(), 6);
        var whole = Protocol(image, truth, new ClickSelectionOptions { ZoomExpansion = 0 }, 6);
        Assert.True(zoomed[^1] > whole[^1] + 0.02 && zoomed[^1] > 0.9,
            $"IoU after each click, zoomed: {string.Join(", ", zoomed.Select(v => v.ToString("F3")))}; whole photo: {string.Join(", ", whole.Select(v => v.ToString("F3")))}");
    }
}
