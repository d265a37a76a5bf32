using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Matting;

public class InformationFlowMattingTests
{
    [Fact]
    public void RecoversASyntheticBlend()
    {
        var (image, soft, truth) = MattingScenes.SmoothBlend(120, 90);
        var trimap = MattingScenes.GrowUnknown(soft, 8);
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
    public void KnownPixelsSampledAtTheReferenceDensityRecoverTheBlendAsWellAsAllOfThem()
    {
        // 120×90 = 0.0108 MP: a 0.0012 MP reference samples every third row and column (what 12 MP gets by default).
        var (image, soft, truth) = MattingScenes.SmoothBlend(120, 90);
        var trimap = MattingScenes.GrowUnknown(soft, 8);
        Assert.Equal(3, InformationFlowMatting.KnownSampleStride(120, 90, 0.0012));
        var every = InformationFlowMatting.Estimate(image, trimap, new InformationFlowOptions { KnownSampleMegapixels = 0 }).Values.ToArray();
        var sampled = InformationFlowMatting.Estimate(image, trimap, new InformationFlowOptions { KnownSampleMegapixels = 0.0012 }).Values.ToArray();
        double UnknownMse(float[] alpha)
        {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < truth.Length; i++)
                if (trimap.Labels[i] == (byte)TrimapLabel.Unknown) { sum += (alpha[i] - truth[i]) * (alpha[i] - truth[i]); count++; }
            return sum / count;
        }
        // Every pixel: 1.3e-5 here; sampled 1.7e-5. Both an order of magnitude inside what the blend test asks (2e-3).
        Assert.True(UnknownMse(sampled) < 5e-5 && UnknownMse(every) < 5e-5, $"MSE sampled {UnknownMse(sampled):E2}, every pixel {UnknownMse(every):E2}");
        Assert.NotEqual(every, sampled); // the sampling did take place
    }

    [Theory]
    [InlineData(800, 600, 1)]    // alphamatting's size: every known pixel
    [InlineData(1600, 1200, 1)]  // 1.9 MP
    [InlineData(2486, 1609, 2)]  // the lemur at 4 MP
    [InlineData(4306, 2787, 3)]  // 12 MP
    [InlineData(6000, 4000, 5)]  // 24 MP
    public void TheKnownSampleStrideKeepsTheDensityOfAMegapixel(int width, int height, int stride) =>
        Assert.Equal(stride, InformationFlowMatting.KnownSampleStride(width, height, new InformationFlowOptions().KnownSampleMegapixels));

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
    public void AMostlyUnknownTrimapStaysOnAPreconditionerThatFitsTheFlows()
    {
        // Over half the image unknown makes the automatic choice consider the multigrid, whose aggregation needs
        // grid-local couplings; the colour mixtures couple pixels anywhere (this threw before).
        var (image, _, truth) = MattingScenes.SmoothBlend(120, 90);
        var strokes = new Trimap(120, 90);
        for (int y = 10; y < 80; y++)
            for (int x = 0; x < 4; x++)
            {
                strokes[2 + x, y] = TrimapLabel.Background;
                strokes[114 + x, y] = TrimapLabel.Foreground;
            }
        var alpha = InformationFlowMatting.Estimate(image, strokes, new InformationFlowOptions { ExpansionRadius = 0 }).Values;
        Assert.True(alpha[45 * 120 + 10] < 0.2 && alpha[45 * 120 + 110] > 0.8, $"{alpha[45 * 120 + 10]}, {alpha[45 * 120 + 110]}");
        Assert.Throws<ArgumentException>(() => InformationFlowMatting.Estimate(image, strokes,
            new InformationFlowOptions { Solver = new() { Preconditioner = MattingPreconditioner.Multigrid } }));
    }

    [Fact]
    public void BadTrimapsProgressAndCancellationAsForClosedForm()
    {
        var (image, trimap, _) = MattingScenes.SmoothBlend(80, 60);
        var noBackground = new Trimap(80, 60, TrimapLabel.Foreground);
        noBackground[40, 30] = TrimapLabel.Unknown;
        Assert.Contains("no background", Assert.Throws<SegmentationInputException>(() => InformationFlowMatting.Estimate(image, noBackground)).Message);
        Assert.Throws<ImageSizeMismatchException>(() => InformationFlowMatting.Estimate(new ColorImage(40, 30), trimap));
        var progress = new ProgressRecorder();
        InformationFlowMatting.Estimate(image, trimap, null, progress);
        Assert.True(progress.IsMonotoneToOne);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => InformationFlowMatting.Estimate(image, trimap, null, null, cancelled.Token));
    }
}
