using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Tests.Matting;

public class InformationFlowMattingTests
{
    /// <summary>A soft-edged blend of two smooth colour fields, the trimap's unknown band 8 px wider than the soft part on each side.</summary>
    private static (ColorImage Image, Trimap Trimap, float[] Alpha) Blend(int w, int h)
    {
        var image = new ColorImage(w, h);
        var trimap = new Trimap(w, h);
        var alpha = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double edge = w / 2.0 + 6 * Math.Sin(y / 9.0);
                double a = Math.Clamp((x - edge) / 12.0 + 0.5, 0, 1);
                image[x, y] = Bgra32.FromRgb((byte)Math.Round(a * (40 + 0.5 * y) + (1 - a) * (220 - 0.3 * x)), (byte)Math.Round(a * (60 + 0.3 * x) + (1 - a) * (120 + 0.4 * y)),
                    (byte)Math.Round(a * (200 - 0.5 * y) + (1 - a) * 30));
                alpha[y * w + x] = (float)a;
                trimap[x, y] = Math.Abs(x - edge) <= 14 ? TrimapLabel.Unknown : a >= 1 ? TrimapLabel.Foreground : TrimapLabel.Background;
            }
        return (image, trimap, alpha);
    }

    [Fact]
    public void RecoversASyntheticBlend()
    {
        var (image, trimap, truth) = Blend(120, 90);
        var alpha = InformationFlowMatting.Estimate(image, trimap).Values;
        double mse = 0;
        int count = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (trimap.Labels[i] != (byte)TrimapLabel.Unknown) continue;
            mse += (alpha[i] - truth[i]) * (alpha[i] - truth[i]);
            count++;
        }
        Assert.True(mse / count < 2e-3, $"MSE {mse / count:E2}");
    }

    [Fact]
    public void TheExpansionMovesOnlyPixelsThatMatchOneSidesNearbyColour()
    {
        // Left half red, right half blue; unknown band over the middle with a grey stripe inside it.
        var image = new ColorImage(60, 20);
        var trimap = new Trimap(60, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 60; x++)
            {
                image[x, y] = x is >= 28 and < 32 ? Bgra32.FromRgb(128, 128, 128) : x < 30 ? Bgra32.FromRgb(200, 30, 30) : Bgra32.FromRgb(30, 30, 200);
                trimap[x, y] = x < 20 ? TrimapLabel.Foreground : x >= 40 ? TrimapLabel.Background : TrimapLabel.Unknown;
            }
        var expanded = InformationFlowMatting.ExpandKnownRegions(image, trimap, 8);
        Assert.Equal(TrimapLabel.Foreground, expanded[22, 10]);   // 2 px from the red known region, same colour
        Assert.Equal(TrimapLabel.Foreground, expanded[27, 10]);   // 7 px: still within the radius for an exact match
        Assert.Equal(TrimapLabel.Unknown, expanded[29, 10]);      // grey: matches neither side
        Assert.Equal(TrimapLabel.Background, expanded[33, 10]);
        Assert.Equal(TrimapLabel.Unknown, expanded[30, 10]);      // grey
        Assert.Equal(trimap.Count(TrimapLabel.Foreground) + 8 * 20, expanded.Count(TrimapLabel.Foreground));
    }

    [Fact]
    public void BadTrimapsProgressAndCancellationAsForClosedForm()
    {
        var (image, trimap, _) = Blend(80, 60);
        var noBackground = new Trimap(80, 60, TrimapLabel.Foreground);
        noBackground[40, 30] = TrimapLabel.Unknown;
        Assert.Contains("no background", Assert.Throws<SegmentationInputException>(() => InformationFlowMatting.Estimate(image, noBackground)).Message);
        Assert.Throws<ImageSizeMismatchException>(() => InformationFlowMatting.Estimate(new ColorImage(40, 30), trimap));
        var reports = new List<double>();
        InformationFlowMatting.Estimate(image, trimap, null, new Recorder(reports));
        Assert.Equal(1, reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second >= p.First));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => InformationFlowMatting.Estimate(image, trimap, null, null, cancelled.Token));
    }

    private sealed class Recorder(List<double> values) : IProgress<double>
    {
        public void Report(double value) => values.Add(value);
    }
}
