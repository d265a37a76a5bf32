using MathNet.Numerics.LinearAlgebra;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Matting;

public class RandomWalkMattingTests
{
    [Fact]
    public void SolvesTheDirichletProblemOfTheColourWeightedGraph()
    {
        // A small random image: the matte must be the exact solution of L_UU α_U = −L_UK α_K built here from the
        // definition (8-neighbour graph, w = exp(−‖ΔI‖² / σ²), colours 0..1), solved densely.
        const int w = 12, h = 9;
        var random = new Random(5);
        var image = new ColorImage(w, h);
        random.NextBytes(image.Data);
        var trimap = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                trimap[x, y] = x < 2 ? TrimapLabel.Foreground : x >= w - 2 || (x == 6 && y == 4) ? TrimapLabel.Background : TrimapLabel.Unknown;
        var options = new RandomWalkOptions { Sigma = 0.4, Solver = new() { Solver = new() { RelativeTolerance = 1e-12 } } };
        var alpha = RandomWalkMatting.Estimate(image, trimap, options).Values;

        var unknown = Enumerable.Range(0, w * h).Where(i => trimap.Labels[i] == (byte)TrimapLabel.Unknown).ToArray();
        var number = new Dictionary<int, int>();
        for (int u = 0; u < unknown.Length; u++) number[unknown[u]] = u;
        var a = Matrix<double>.Build.Dense(unknown.Length, unknown.Length);
        var b = Vector<double>.Build.Dense(unknown.Length);
        for (int u = 0; u < unknown.Length; u++)
        {
            int x = unknown[u] % w, y = unknown[u] / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    double d2 = 0;
                    for (int c = 0; c < 3; c++) d2 += Math.Pow((image.Data[y * image.Stride + 4 * x + c] - image.Data[ny * image.Stride + 4 * nx + c]) / 255.0, 2);
                    double weight = Math.Exp(-d2 / (0.4 * 0.4));
                    a[u, u] += weight;
                    int j = ny * w + nx;
                    if (number.TryGetValue(j, out int v)) a[u, v] -= weight;
                    else if (trimap.Labels[j] == (byte)TrimapLabel.Foreground) b[u] += weight;
                }
        }
        var exact = a.Solve(b);
        for (int u = 0; u < unknown.Length; u++) Assert.Equal(exact[u], alpha[unknown[u]], 5);
        Assert.Equal(0f, alpha[4 * w + 6]);
        Assert.Equal(1f, alpha[3 * w + 1]);
    }

    [Fact]
    public void FollowsAColourEdgeBetweenStrokes()
    {
        // Two flat colours split by a vertical edge at x = 30; strokes far from it: the walk stops at the edge.
        var image = new ColorImage(60, 40);
        var trimap = new Trimap(60, 40);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 60; x++)
            {
                image[x, y] = x < 30 ? Bgra32.FromRgb(200, 60, 40) : Bgra32.FromRgb(40, 90, 200);
                trimap[x, y] = x < 3 ? TrimapLabel.Foreground : x >= 57 ? TrimapLabel.Background : TrimapLabel.Unknown;
            }
        var alpha = RandomWalkMatting.Estimate(image, trimap).Values;
        for (int y = 0; y < 40; y++)
        {
            Assert.True(alpha[y * 60 + 25] > 0.99, $"({25}, {y}): {alpha[y * 60 + 25]}");
            Assert.True(alpha[y * 60 + 34] < 0.01, $"({34}, {y}): {alpha[y * 60 + 34]}");
        }
    }

    [Fact]
    public void RefusesATrimapWithoutForeground()
    {
        var trimap = new Trimap(10, 10, TrimapLabel.Background);
        trimap[5, 5] = TrimapLabel.Unknown;
        var e = Assert.Throws<SegmentationInputException>(() => RandomWalkMatting.Estimate(new ColorImage(10, 10), trimap));
        Assert.Contains("no foreground", e.Message);
        Assert.Throws<SegmentationInputException>(() => PoissonMatting.Estimate(new ColorImage(10, 10), trimap));
    }
}

public class PoissonMattingTests
{
    /// <summary>
    /// I = αF + (1−α)B with F and B smooth colour gradients (Poisson matting's assumption) and α a soft shape; the
    /// trimap's unknown region covers the soft part and a margin of flat α on both sides.
    /// </summary>
    private static (ColorImage Image, Trimap Trimap, float[] Alpha) Blend(int w, int h, Func<int, int, double> alphaAt)
    {
        var image = new ColorImage(w, h);
        var alpha = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double a = alphaAt(x, y);
                double fr = 230 - 0.4 * y, fg = 190 + 0.2 * x, fb = 60;
                double br = 40 + 0.3 * x, bg = 70, bb = 150 + 0.4 * y;
                image[x, y] = Bgra32.FromRgb((byte)Math.Round(a * fr + (1 - a) * br), (byte)Math.Round(a * fg + (1 - a) * bg), (byte)Math.Round(a * fb + (1 - a) * bb));
                alpha[y * w + x] = (float)a;
            }
        var trimap = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool soft = false;
                for (int dy = -5; dy <= 5 && !soft; dy++)
                    for (int dx = -5; dx <= 5 && !soft; dx++)
                    {
                        int nx = Math.Clamp(x + dx, 0, w - 1), ny = Math.Clamp(y + dy, 0, h - 1);
                        soft = alpha[ny * w + nx] is > 0 and < 1;
                    }
                trimap[x, y] = soft ? TrimapLabel.Unknown : alpha[y * w + x] >= 1 ? TrimapLabel.Foreground : TrimapLabel.Background;
            }
        return (image, trimap, alpha);
    }

    private static double UnknownMse(ReadOnlySpan<float> alpha, float[] truth, Trimap trimap)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (trimap.Labels[i] != (byte)TrimapLabel.Unknown) continue;
            sum += (alpha[i] - truth[i]) * (alpha[i] - truth[i]);
            count++;
        }
        return sum / count;
    }

    [Fact]
    public void RecoversASoftDisc()
    {
        var (image, trimap, truth) = Blend(120, 100, (x, y) => Math.Clamp((30 - Math.Sqrt((x - 60.0) * (x - 60) + (y - 50.0) * (y - 50))) / 10 + 0.5, 0, 1));
        double mse = UnknownMse(PoissonMatting.Estimate(image, trimap).Values, truth, trimap);
        Assert.True(mse < 1e-3, $"MSE {mse:E2}");
    }

    [Fact]
    public void RecoversASoftStripe()
    {
        // An opaque core 12 px wide with 10-px soft sides, wavy along its length.
        var (image, trimap, truth) = Blend(140, 90, (x, y) => Math.Clamp((16 - Math.Abs(x - 70 - 8 * Math.Sin(y / 12.0))) / 10, 0, 1));
        double mse = UnknownMse(PoissonMatting.Estimate(image, trimap).Values, truth, trimap);
        Assert.True(mse < 1e-3, $"MSE {mse:E2}");
    }

    [Fact]
    public void ReportsProgressAndHonoursCancellation()
    {
        var (image, trimap, _) = Blend(80, 60, (x, _) => Math.Clamp((x - 40) / 10.0 + 0.5, 0, 1));
        var progress = new ProgressRecorder();
        PoissonMatting.Estimate(image, trimap, null, progress);
        Assert.True(progress.IsMonotoneToOne);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => PoissonMatting.Estimate(image, trimap, null, null, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => RandomWalkMatting.Estimate(image, trimap, null, null, cancelled.Token));
    }
}
