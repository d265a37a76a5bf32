using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Tests.Matting;

public class BayesianMattingTests
{
    /// <summary>
    /// A disc of one colour with a soft rim over a background of two-coloured stripes (so the background needs
    /// two clusters): I = αF + (1−α)B exactly, the trimap's unknown band covering the rim and a margin.
    /// </summary>
    private static (ColorImage Image, Trimap Trimap, float[] Alpha) StripedScene(int size)
    {
        var image = new ColorImage(size, size);
        var trimap = new Trimap(size, size);
        var alpha = new float[size * size];
        double c = size / 2.0, radius = size * 0.3;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double r = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c));
                double a = Math.Clamp((radius - r) / 8 + 0.5, 0, 1);
                bool stripe = (x / 6) % 2 == 0;
                (double B, double G, double R) bg = stripe ? (40, 200, 60) : (180, 60, 200);
                (double B, double G, double R) fg = (230, 120, 20);
                image[x, y] = new Bgra32((byte)Math.Round(a * fg.B + (1 - a) * bg.B), (byte)Math.Round(a * fg.G + (1 - a) * bg.G),
                    (byte)Math.Round(a * fg.R + (1 - a) * bg.R), 255);
                alpha[y * size + x] = (float)a;
                trimap[x, y] = Math.Abs(r - radius) <= 9 ? TrimapLabel.Unknown : r < radius ? TrimapLabel.Foreground : TrimapLabel.Background;
            }
        return (image, trimap, alpha);
    }

    [Fact]
    public void RecoversATwoColourBlendOverAStripedBackground()
    {
        var (image, trimap, truth) = StripedScene(100);
        var result = BayesianMatting.Estimate(image, trimap);
        double mse = 0, foregroundError = 0;
        int unknown = 0, soft = 0;
        var alpha = result.Alpha.Values;
        for (int i = 0; i < truth.Length; i++)
        {
            if (trimap.Labels[i] != (byte)TrimapLabel.Unknown) continue;
            mse += (alpha[i] - truth[i]) * (alpha[i] - truth[i]);
            unknown++;
            if (truth[i] > 0.2f)
            {
                var f = result.Foreground[i % 100, i / 100];
                foregroundError += Math.Abs(f.B - 230) + Math.Abs(f.G - 120) + Math.Abs(f.R - 20);
                soft++;
            }
        }
        mse /= unknown;
        Assert.True(mse < 1e-3, $"alpha MSE {mse:E2}");
        Assert.True(foregroundError / (3.0 * soft) < 4, $"mean foreground colour error {foregroundError / (3.0 * soft):F2} levels");
        Assert.Equal(0, result.GlobalFallbacks);
    }

    [Fact]
    public void RecoversASmoothBlendAsWellAsClosedForm()
    {
        var (image, trimap, truth) = StripedScene(80);
        var bayes = BayesianMatting.Estimate(image, trimap).Alpha.Values.ToArray();
        var closed = ClosedFormMatting.Estimate(image, trimap).Alpha.Values.ToArray();
        double Sad(float[] a) => a.Select((v, i) => Math.Abs(v - truth[i])).Sum();
        // Piecewise-constant colours are Bayesian matting's home ground; closed-form's colour-line model breaks at
        // every stripe edge.
        Assert.True(Sad(bayes) <= Sad(closed), $"SAD Bayesian {Sad(bayes):F1} vs closed-form {Sad(closed):F1}");
    }

    [Fact]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        var (image, trimap, _) = StripedScene(70);
        var one = BayesianMatting.Estimate(image, trimap, new BayesianMattingOptions { MaxDegreeOfParallelism = 1 });
        var two = BayesianMatting.Estimate(image, trimap, new BayesianMattingOptions { MaxDegreeOfParallelism = 4 });
        Assert.Equal(one.Alpha.Values.ToArray(), two.Alpha.Values.ToArray());
        Assert.Equal(one.Foreground.Data.ToArray(), two.Foreground.Data.ToArray());
    }

    [Fact]
    public void FarFromAnyBackgroundTheWholeTrimapsColoursAreUsed()
    {
        // One background pixel in a corner, far outside every window of the unknown band.
        var (image, _, _) = StripedScene(120);
        var trimap = new Trimap(120, 120);
        for (int y = 40; y < 80; y++) for (int x = 40; x < 80; x++) trimap[x, y] = TrimapLabel.Foreground;
        trimap[0, 0] = TrimapLabel.Background;
        var result = BayesianMatting.Estimate(image, trimap, new BayesianMattingOptions { MaxWindowRadius = 24 });
        Assert.True(result.GlobalFallbacks > 0);
        Assert.All(result.Alpha.Values.ToArray(), a => Assert.InRange(a, 0f, 1f));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var (image, _, _) = StripedScene(30);
        var noBackground = new Trimap(30, 30, TrimapLabel.Foreground);
        noBackground[3, 3] = TrimapLabel.Unknown;
        Assert.Contains("no background", Assert.Throws<SegmentationInputException>(() => BayesianMatting.Estimate(image, noBackground)).Message);
        Assert.Throws<ImageSizeMismatchException>(() => BayesianMatting.Estimate(image, new Trimap(10, 30)));
        Assert.Throws<ArgumentOutOfRangeException>(() => BayesianMatting.Estimate(image, new Trimap(30, 30), new BayesianMattingOptions { ColorSigma = 0 }));
    }

    [Fact]
    public void CancellationStopsTheSolve()
    {
        var (image, trimap, _) = StripedScene(60);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => BayesianMatting.Estimate(image, trimap, cancellationToken: cancel.Token));
    }
}
