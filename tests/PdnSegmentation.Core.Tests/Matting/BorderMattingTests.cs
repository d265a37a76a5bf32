using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Tests.Matting;

public class BorderMattingTests
{
    /// <summary>
    /// A disc whose edge is a sigmoid of width <paramref name="sigma"/> (α = sigmoid((R − r) / σ)), blue over noisy
    /// orange; the hard segmentation is α ≥ ½, as GrabCut would give.
    /// </summary>
    private static (ColorImage Image, Mask Hard, float[] Alpha) SoftDisc(int size, double sigma, int seed, double cx = -1)
    {
        var random = new Random(seed);
        var image = new ColorImage(size, size);
        var hard = new Mask(size, size);
        var alpha = new float[size * size];
        double c = size / 2.0, radius = size * 0.3;
        if (cx < 0) cx = c;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double r = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - c) * (y + 0.5 - c));
                double a = 1 / (1 + Math.Exp(-(radius - r) / sigma));
                double n() => (random.NextDouble() - 0.5) * 8;
                image[x, y] = new Bgra32((byte)Math.Clamp(a * 220 + (1 - a) * 40 + n(), 0, 255), (byte)Math.Clamp(a * 90 + (1 - a) * 140 + n(), 0, 255),
                    (byte)Math.Clamp(a * 30 + (1 - a) * 230 + n(), 0, 255), 255);
                alpha[y * size + x] = (float)a;
                hard[x, y] = a >= 0.5;
            }
        return (image, hard, alpha);
    }

    private static double Mse(ReadOnlySpan<float> a, float[] truth)
    {
        double sum = 0;
        for (int i = 0; i < truth.Length; i++) sum += (a[i] - truth[i]) * (a[i] - truth[i]);
        return sum / truth.Length;
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(1.6)]
    public void SoftensTheHardEdgeTowardsTheTrueProfile(double sigma)
    {
        var (image, hard, truth) = SoftDisc(120, sigma, 1);
        var result = BorderMatting.Estimate(image, hard);
        double hardError = Mse(AlphaMatte.FromMask(hard).Values, truth), softError = Mse(result.Alpha.Values, truth);
        Assert.True(softError < 0.1 * hardError, $"MSE border matting {softError:E2} vs hard mask {hardError:E2}");
        Assert.True(result.ContourPoints > 100);
        // Away from the band the hard segmentation stands.
        Assert.Equal(1f, result.Alpha[60, 60]);
        Assert.Equal(0f, result.Alpha[2, 2]);
    }

    [Fact]
    public void TheImageFrameIsNotAnEdge()
    {
        // The object covers the whole left part, so its mask runs into the image's left, top and bottom borders.
        int w = 60, h = 40;
        var image = new ColorImage(w, h);
        var hard = new Mask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inside = x < 30;
                image[x, y] = inside ? new Bgra32(200, 60, 20, 255) : new Bgra32(20, 160, 220, 255);
                hard[x, y] = inside;
            }
        var alpha = BorderMatting.Estimate(image, hard).Alpha;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < 20; x++)
                Assert.Equal(1f, alpha[x, y]);
        // The one real edge is crisp colour-wise, so the profile stays steep: α jumps across x = 29.5.
        Assert.True(alpha[28, 20] > 0.9f && alpha[31, 20] < 0.1f, $"α(28) = {alpha[28, 20]}, α(31) = {alpha[31, 20]}");
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var (image, _, _) = SoftDisc(30, 1, 2);
        Assert.Contains("empty", Assert.Throws<SegmentationInputException>(() => BorderMatting.Estimate(image, new Mask(30, 30))).Message);
        Assert.Throws<ImageSizeMismatchException>(() => BorderMatting.Estimate(image, new Mask(20, 30)));
    }

    [Fact]
    public void ProfileSmoothingFindsTheExactMinimumOfTheChainEnergy()
    {
        var random = new Random(5);
        double[] centers = [-1, 0, 0.5, 2], widths = [0.3, 1, 1.7];
        int states = centers.Length * widths.Length;
        for (int trial = 0; trial < 30; trial++)
        {
            int points = 1 + trial % 4;
            var cost = new float[points * states];
            for (int i = 0; i < cost.Length; i++) cost[i] = (float)(random.NextDouble() * 20);
            double l1 = random.NextDouble() * 5, l2 = random.NextDouble() * 5;
            var c = new int[points];
            var s = new int[points];
            ProfileSmoothing.Solve(cost, points, centers, widths, l1, l2, c, s);

            double Energy(int[] state)
            {
                double e = 0;
                for (int t = 0; t < points; t++)
                {
                    e += cost[t * states + state[t]];
                    if (t > 0)
                    {
                        double dc = centers[state[t] / widths.Length] - centers[state[t - 1] / widths.Length];
                        double dw = widths[state[t] % widths.Length] - widths[state[t - 1] % widths.Length];
                        e += l1 * dc * dc + l2 * dw * dw;
                    }
                }
                return e;
            }
            double best = double.PositiveInfinity;
            var all = new int[points];
            for (long code = 0; code < (long)Math.Pow(states, points); code++)
            {
                long k = code;
                for (int t = 0; t < points; t++) { all[t] = (int)(k % states); k /= states; }
                best = Math.Min(best, Energy(all));
            }
            var found = Enumerable.Range(0, points).Select(t => c[t] * widths.Length + s[t]).ToArray();
            Assert.Equal(best, Energy(found), 1e-4);
        }
    }
}
