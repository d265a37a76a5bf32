using PdnSegmentation.Clicks;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Tests.Clicks;

public class ClickProtocolTests
{
    /// <summary>Ground truth from rectangles of value 255 (object), the rest 0.</summary>
    private static byte[] Truth(int w, int h, params PixelRect[] objects)
    {
        var truth = new byte[w * h];
        foreach (var r in objects)
            for (int y = r.Y; y < r.Bottom; y++) for (int x = r.X; x < r.Right; x++) truth[y * w + x] = 255;
        return truth;
    }

    /// <summary>
    /// Brute force: the error pixel whose Euclidean distance to the nearest non-error pixel (the image's outside counts as
    /// non-error, one pixel beyond the border) is largest, first in row order.
    /// </summary>
    private static (int X, int Y, double Distance) Deepest(bool[] error, int w, int h)
    {
        (int, int, double) best = (-1, -1, 0);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (!error[y * w + x]) continue;
                double d = double.MaxValue;
                for (int v = -1; v <= h; v++)
                    for (int u = -1; u <= w; u++)
                    {
                        bool outside = u < 0 || v < 0 || u >= w || v >= h;
                        if (!outside && error[v * w + u]) continue;
                        d = Math.Min(d, Math.Sqrt((u - x) * (u - x) + (v - y) * (v - y)));
                    }
                if (d > best.Item3 + 1e-9) best = (x, y, d);
            }
        return best;
    }

    [Fact]
    public void TheFirstClickLandsAtTheObjectsMostInteriorPoint()
    {
        const int w = 40, h = 30;
        var truth = Truth(w, h, new PixelRect(5, 4, 21, 11), new PixelRect(28, 20, 6, 6));
        var protocol = new ClickProtocol(w, h, truth);
        var click = protocol.Next(new Mask(w, h))!.Value;
        var (x, y, _) = Deepest(truth.Select(t => t == 255).ToArray(), w, h);
        Assert.Equal(new Click(x, y, true), click);
        Assert.Equal(new Click(10, 9, true), click); // the 21×11 block's middle row, first of its equally deep pixels
    }

    [Fact]
    public void TheNextClickGoesToTheLargerErrorRegionWithItsSide()
    {
        const int w = 50, h = 40;
        var truth = Truth(w, h, new PixelRect(5, 5, 20, 20));
        var protocol = new ClickProtocol(w, h, truth);
        // Prediction: the object minus a 4×4 hole (false negatives), plus a 9×9 block beside it (false positives).
        var prediction = Mask.FromBytes(w, h, truth);
        for (int y = 10; y < 14; y++) for (int x = 10; x < 14; x++) prediction[x, y] = false;
        for (int y = 28; y < 37; y++) for (int x = 35; x < 44; x++) prediction[x, y] = true;
        var click = protocol.Next(prediction)!.Value;
        Assert.False(click.Positive);
        Assert.Equal((39, 32), (click.X, click.Y));
        // Now the block is gone: the hole is the only error, so the next click is positive, inside it.
        for (int y = 28; y < 37; y++) for (int x = 35; x < 44; x++) prediction[x, y] = false;
        var next = protocol.Next(prediction)!.Value;
        Assert.True(next.Positive);
        Assert.InRange(next.X, 11, 12);
        Assert.InRange(next.Y, 11, 12);
    }

    [Fact]
    public void EqualDistancesGiveANegativeClickAndClickedPixelsAreNotClickedAgain()
    {
        const int w = 40, h = 20;
        var truth = Truth(w, h, new PixelRect(2, 2, 7, 7));
        var prediction = new Mask(w, h);
        for (int y = 2; y < 9; y++) for (int x = 20; x < 27; x++) prediction[x, y] = true; // a false-positive twin of the object
        var protocol = new ClickProtocol(w, h, truth);
        var first = protocol.Next(prediction)!.Value;
        Assert.Equal(new Click(23, 5, false), first); // ties between the sides go to the negative click
        var second = protocol.Next(prediction)!.Value;
        Assert.NotEqual((first.X, first.Y), (second.X, second.Y));
    }

    [Fact]
    public void TheUnlabelledBandIsNeitherClickedNorCounted()
    {
        const int w = 30, h = 30;
        var truth = Truth(w, h, new PixelRect(5, 5, 20, 20));
        // The whole object is surrounded by, and its left half replaced with, the 128 band.
        for (int y = 3; y < 27; y++) for (int x = 3; x < 15; x++) truth[y * w + x] = 128;
        var protocol = new ClickProtocol(w, h, truth);
        var click = protocol.Next(new Mask(w, h))!.Value;
        Assert.True(click.X >= 15);
        var prediction = new Mask(w, h);
        for (int y = 5; y < 25; y++) for (int x = 15; x < 25; x++) prediction[x, y] = true;
        Assert.Equal(1.0, protocol.IoU(prediction));
        Assert.Null(protocol.Next(prediction));
    }

    [Fact]
    public void ClicksToReachCountsFromOneAndCapsAtTheMaximum()
    {
        Assert.Equal(3, ClickProtocol.ClicksToReach([0.5, 0.8, 0.91, 0.95], 0.90, 20));
        Assert.Equal(1, ClickProtocol.ClicksToReach([0.9], 0.90, 20));
        Assert.Equal(20, ClickProtocol.ClicksToReach([0.5, 0.6], 0.90, 20));
    }
}
