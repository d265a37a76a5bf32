using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Matting;

public class ReducedScaleMattingTests
{
    private const byte F = (byte)TrimapLabel.Foreground, B = (byte)TrimapLabel.Background, U = (byte)TrimapLabel.Unknown;

    private static Trimap FromLabels(int width, int height, byte[] labels)
    {
        var trimap = new Trimap(width, height);
        for (int i = 0; i < labels.Length; i++) trimap[i % width, i / width] = (TrimapLabel)labels[i];
        return trimap;
    }

    [Fact]
    public void AReducedTrimapKeepsOnlyBlocksOfOneKnownLabel()
    {
        // 5×3 by 2: blocks of 2×2, the last column and row partial.
        var trimap = FromLabels(5, 3,
        [
            F, F, B, B, B,
            F, F, B, U, B,
            F, B, B, B, U,
        ]);
        var reduced = ReducedScaleMatting.Reduce(trimap, 2);
        Assert.Equal((3, 2), (reduced.Width, reduced.Height));
        Assert.Equal([F, U, B, U, B, U], reduced.Labels.ToArray());
    }

    [Fact]
    public void AReducedPhotoHoldsEachBlocksMeanColour()
    {
        var image = new ColorImage(5, 4);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                image[x, y] = new Bgra32((byte)(10 * x), (byte)(20 * y), (byte)(x + 40 * y), 255);
        var reduced = ReducedScaleMatting.Reduce(image, 3, 2);
        Assert.Equal((2, 2), (reduced.Width, reduced.Height));
        // Block (0,0): x 0..2, y 0..2 → B mean 10, G mean 20, R mean 1 + 40 = 41.
        Assert.Equal(new Bgra32(10, 20, 41, 255), reduced[0, 0]);
        // Block (1,1): x 3..4, y 3 only → B 35, G 60, R 3.5 + 120 = 123.5, rounded half up.
        Assert.Equal(new Bgra32(35, 60, 124, 255), reduced[1, 1]);
    }

    /// <summary>A painted band: unknown where |x − the edge| ≤ half the band, object left of it.</summary>
    private static Trimap Band(int width, int height, int band)
    {
        var trimap = new Trimap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double edge = width / 2.0 + 10 * Math.Sin(y / 15.0);
                trimap[x, y] = Math.Abs(x - edge) <= band / 2.0 ? TrimapLabel.Unknown : x < edge ? TrimapLabel.Foreground : TrimapLabel.Background;
            }
        return trimap;
    }

    [Fact]
    public void TheFactorIsTheSmallestThatBringsTheUnknownsWithinTheBound()
    {
        var trimap = Band(600, 400, 60); // about 24 400 unknown pixels
        long unknown = trimap.Count(TrimapLabel.Unknown);
        Assert.Equal(1, ReducedScaleMatting.Factor(trimap, unknown));
        long halved = ReducedScaleMatting.Reduce(trimap, 2).Count(TrimapLabel.Unknown);
        Assert.Equal(2, ReducedScaleMatting.Factor(trimap, halved));
        Assert.Equal(3, ReducedScaleMatting.Factor(trimap, halved - 1));
        Assert.Equal(ReducedScaleMatting.MaxFactor, ReducedScaleMatting.Factor(trimap, 10)); // never beyond the cap
    }

    [Fact]
    public void ScribblesAreNeverReduced()
    {
        // Thick strokes on a photo mostly unknown (Levin's interface): reducible, but a matte propagated across the photo.
        var trimap = new Trimap(400, 300);
        for (int y = 90; y < 110; y++)
            for (int x = 50; x < 350; x++)
            {
                trimap[x, y] = TrimapLabel.Foreground;
                trimap[x, y + 100] = TrimapLabel.Background;
            }
        Assert.Equal(1, ReducedScaleMatting.Factor(trimap, 1000));
        // One-pixel strokes on a photo mostly known: reduced, they would vanish.
        var thin = new Trimap(400, 300, TrimapLabel.Background);
        for (int y = 0; y < 300; y++)
            for (int x = 0; x < 400; x++)
                thin[x, y] = x == 150 ? TrimapLabel.Foreground : x is > 150 and < 300 ? TrimapLabel.Unknown : TrimapLabel.Background;
        Assert.Equal(1, ReducedScaleMatting.Factor(thin, 1000));
    }

    /// <summary>A photo of smooth colours, and a matte that is the same affine function of the colour everywhere.</summary>
    private static (ColorImage Image, Func<Bgra32, float> Alpha) AffineScene(int width, int height)
    {
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Bgra32((byte)(60 + 100 * Math.Sin(x / 7.0) * Math.Cos(y / 11.0) + 60),
                    (byte)(30 + 2 * x), (byte)(50 + 80 * (1 + Math.Sin((x + 2 * y) / 9.0))), 255);
        // Within 0..1 for every colour above: no clamping.
        return (image, p => (float)(0.1 + 0.8 * (0.5 * p.R + 0.3 * p.G + 0.2 * p.B) / 255.0));
    }

    [Fact]
    public void AMatteLinearInTheColoursComesBackExactlyAtFullSize()
    {
        // If the reduced solve's matte is an affine function of the reduced colours, every window's fit finds that
        // function, and each full-size unknown pixel gets it applied to its own colour — whatever the factor.
        var (image, alphaOf) = AffineScene(90, 70);
        var trimap = Band(90, 70, 30);
        foreach (int factor in new[] { 2, 3 })
        {
            var alpha = ReducedScaleMatting.Estimate(image, trimap, factor, (small, smallTrimap, _) =>
            {
                var matte = new AlphaMatte(small.Width, small.Height);
                for (int y = 0; y < small.Height; y++)
                    for (int x = 0; x < small.Width; x++) matte[x, y] = alphaOf(small[x, y]);
                return matte;
            });
            double worst = 0;
            for (int y = 0; y < 70; y++)
                for (int x = 0; x < 90; x++)
                {
                    var label = trimap[x, y];
                    if (label == TrimapLabel.Unknown) worst = Math.Max(worst, Math.Abs(alpha[x, y] - alphaOf(image[x, y])));
                    else Assert.Equal(label == TrimapLabel.Foreground ? 1f : 0f, alpha[x, y]); // known pixels exactly
                }
            Assert.True(worst < 2e-3, $"factor {factor}: largest error {worst}");
        }
    }

    [Fact]
    public void WhereColourSaysNothingTheMatteIsInterpolatedBetweenTheBlocksCentres()
    {
        // One flat colour: every fit is α = b, the window's mean; a reduced matte rising linearly across the photo keeps
        // its slope through both averages, and full-size pixel x lies at (x + ½) / f − ½ in reduced pixels.
        const int width = 60, height = 12;
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) image[x, y] = new Bgra32(128, 128, 128, 255);
        var trimap = new Trimap(width, height);
        foreach (int factor in new[] { 2, 3 })
        {
            int reducedWidth = width / factor;
            var alpha = ReducedScaleMatting.Estimate(image, trimap, factor, (small, _, _) =>
            {
                var matte = new AlphaMatte(small.Width, small.Height);
                for (int y = 0; y < small.Height; y++)
                    for (int x = 0; x < small.Width; x++) matte[x, y] = (float)x / (reducedWidth - 1);
                return matte;
            });
            // Away from the photo's sides, where the windows are clipped.
            for (int x = 3 * factor; x < width - 3 * factor; x++)
            {
                double expected = ((x + 0.5) / factor - 0.5) / (reducedWidth - 1);
                Assert.Equal(expected, alpha[x, height / 2], 4);
            }
        }
    }

    [Fact]
    public void ClosedFormAboveTheBoundSolvesReducedAndMattesAsWellAsAtFullSize()
    {
        var progress = new ProgressRecorder();
        AssertReducedMattesAsWell(320, 240, (image, trimap, bound) =>
        {
            progress = new ProgressRecorder(); // the reduced solve's, the second
            var result = ClosedFormMatting.Estimate(image, trimap, new ClosedFormOptions { FullScaleUnknowns = bound }, progress);
            return (result.Alpha, result.Reduction);
        });
        Assert.True(progress.IsMonotoneToOne);
    }

    [Fact]
    public void InformationFlowAboveTheBoundSolvesReducedAndMattesAsWellAsAtFullSize() =>
        AssertReducedMattesAsWell(240, 180, (image, trimap, bound) =>
        {
            var options = new InformationFlowOptions { FullScaleUnknowns = bound };
            return (InformationFlowMatting.Estimate(image, trimap, options), ReducedScaleMatting.Factor(trimap, bound));
        });

    /// <summary>
    /// A generated blend solved with the bound at its unknown count (full size) and at a third of it (halved): the
    /// reduced matte's SAD within 10 % of the full-size one's.
    /// </summary>
    private static void AssertReducedMattesAsWell(int width, int height, Func<ColorImage, Trimap, long, (AlphaMatte Alpha, int Reduction)> estimate)
    {
        var (image, trimap, truth) = MattingScenes.SmoothBlend(width, height);
        trimap = MattingScenes.GrowUnknown(trimap, 6);
        long unknown = trimap.Count(TrimapLabel.Unknown);
        var full = estimate(image, trimap, unknown);
        var reduced = estimate(image, trimap, unknown / 3);
        Assert.Equal((1, 2), (full.Reduction, reduced.Reduction));
        double fullSad = MattingScore.Compute(full.Alpha.Values, truth, trimap).Sad;
        double reducedSad = MattingScore.Compute(reduced.Alpha.Values, truth, trimap).Sad;
        Assert.True(reducedSad <= 1.1 * fullSad + 0.05, $"SAD reduced {reducedSad:F3} against full size {fullSad:F3}");
    }

    [Fact]
    public void ACancelledReducedSolveThrows()
    {
        var (image, trimap, _) = MattingScenes.SmoothBlend(200, 150);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ClosedFormMatting.Estimate(image, trimap, new ClosedFormOptions { FullScaleUnknowns = 10 }, null, cancelled.Token));
    }
}
