using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

/// <summary>GrabCut with an object prior (the model's probability as a data term).</summary>
public class ObjectPriorTests
{
    /// <summary>A model-like probability of the scene's object: right in shape, shifted and blurred, as from a coarse model.</summary>
    internal static float[] CoarseProbability(Mask truth, int shift, double blur)
    {
        int w = truth.Width, h = truth.Height;
        var p = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Clamp(x - shift, 0, w - 1);
                p[y * w + x] = truth[sx, y] ? 0.97f : 0.03f;
            }
        var blurred = PixelMaps.ResizeFloat(PixelMaps.ResizeFloat(p, w, h, (int)(w / blur), (int)(h / blur)), (int)(w / blur), (int)(h / blur), w, h);
        return blurred;
    }

    [Fact]
    public void WithAPriorTheReportedEnergyIsTheExplicitEnergy()
    {
        var scene = SyntheticScene.ObjectOnClutter(180, 140, 31, noise: 12);
        var prior = ObjectPrior.FromProbability(180, 140, CoarseProbability(scene.Truth, 4, 6), weight: 3);
        var region = Mask.FromRectangle(180, 140, scene.Box);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRegion(region) with { Prior = prior, InitialObject = scene.Truth },
            new GrabCutOptions { MaxIterations = 1, ConvergenceTolerance = 0 });
        for (int i = 0; i < 3; i++)
        {
            var result = session.Iterate();
            double explicitEnergy = session.ExplicitEnergy();
            Assert.Equal(explicitEnergy, result.EnergyPerIteration[^1], explicitEnergy * 1e-6);
        }
    }

    [Fact]
    public void WithThePapersDataTermAndAPriorTheEnergyNeverRises()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 32, noise: 20);
        var prior = ObjectPrior.FromProbability(200, 160, CoarseProbability(scene.Truth, 5, 8), weight: 2);
        var options = new GrabCutOptions { MaxIterations = 8, ConvergenceTolerance = 0, DataTerm = GrabCutDataTerm.BestComponent };
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior }, options);
        for (int i = 1; i < result.EnergyPerIteration.Count; i++)
            Assert.True(result.EnergyPerIteration[i] <= result.EnergyPerIteration[i - 1] * (1 + 1e-6), string.Join(", ", result.EnergyPerIteration));
    }

    [Fact]
    public void APriorOfWeightZeroIsPlainGrabCut()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 33);
        var prior = ObjectPrior.FromProbability(160, 120, CoarseProbability(scene.Truth, 20, 4), weight: 0);
        var plain = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box));
        var withPrior = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior });
        Assert.Equal(plain.Foreground.ToBytes(), withPrior.Foreground.ToBytes());
    }

    [Fact]
    public void AStrongPriorOverrulesColour()
    {
        // The prior says a block of background clutter is object and the object's right half is background.
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 34);
        var wanted = new Mask(200, 160);
        var bounds = scene.Truth.Bounds();
        int middle = bounds.X + bounds.Width / 2;
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 200; x++)
                wanted[x, y] = (scene.Truth[x, y] && x < middle) || (x < 25 && y < 25);
        var probability = new float[200 * 160];
        for (int i = 0; i < probability.Length; i++) probability[i] = wanted.Bits[i] != 0 ? 0.999f : 0.001f;
        var input = GrabCutInput.FromRegion(Mask.FromRectangle(200, 160, new PixelRect(0, 0, 200, 160))) with
        {
            Prior = ObjectPrior.FromProbability(200, 160, probability, weight: 20),
            InitialObject = wanted,
        };
        var result = GrabCut.Segment(scene.Image, input);
        Assert.True(SyntheticScene.IoU(result.Foreground, wanted) > 0.97, $"IoU {SyntheticScene.IoU(result.Foreground, wanted):F3}");
    }

    [Fact]
    public void TheMultilevelSolveCarriesThePrior()
    {
        // Above the multilevel threshold the proxy sees the prior downsampled; the answer follows the prior's object.
        var scene = SyntheticScene.ObjectOnClutter(360, 280, 35);
        var probability = CoarseProbability(scene.Truth, 0, 3);
        var input = GrabCutInput.FromRectangle(scene.Box) with { Prior = ObjectPrior.FromProbability(360, 280, probability, weight: 4) };
        var result = GrabCut.Segment(scene.Image, input, new GrabCutOptions { MultilevelThreshold = 4096 });
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.97);
    }

    [Fact]
    public void APriorOfTheWrongSizeIsRefused()
    {
        var scene = SyntheticScene.ObjectOnClutter(100, 80, 36);
        var prior = new ObjectPrior(50, 40, new float[2000]);
        Assert.Throws<ImageSizeMismatchException>(() => GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior }));
    }
}

public class SoftMaskRefinementTests
{
    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public void TheRefinedMaskFollowsTheObjectBetterThanACoarseModel(int seed)
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, seed);
        var probability = ObjectPriorTests.CoarseProbability(scene.Truth, 4, 10);
        var model = Mask.FromBytes(240, 180, probability.Select(p => p >= 0.5f ? (byte)1 : (byte)0).ToArray());
        var refined = SoftMaskRefinement.Refine(scene.Image, probability, modelPixelSize: 10);
        double before = SyntheticScene.IoU(model, scene.Truth), after = SyntheticScene.IoU(refined, scene.Truth);
        Assert.True(after > before + 0.03 && after > 0.95, $"IoU {before:F3} → {after:F3}");
    }

    [Fact]
    public void HintsAreHardAndNothingMovesBeyondTheReach()
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 44);
        var probability = ObjectPriorTests.CoarseProbability(scene.Truth, 0, 4);
        var bounds = scene.Truth.Bounds();
        var background = new Mask(240, 180);
        var definite = new Mask(240, 180);
        int cx = bounds.X + bounds.Width / 2, cy = bounds.Y + bounds.Height / 2;
        for (int y = cy - 4; y < cy + 4; y++) for (int x = cx - 4; x < cx + 4; x++) background[x, y] = true; // a hole the user wants
        for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) definite[x, y] = true;                        // a far corner the user wants
        var options = new SoftMaskRefinementOptions { ReachInModelPixels = 2, Cleanup = MaskCleanupOptions.None };
        var refined = SoftMaskRefinement.Refine(scene.Image, probability, 4, options, definite, background);
        for (int i = 0; i < refined.Bits.Length; i++)
        {
            if (background.Bits[i] != 0) Assert.Equal(0, refined.Bits[i]);
            if (definite.Bits[i] != 0) Assert.Equal(1, refined.Bits[i]);
        }
        // Beyond 2 model pixels (8 photo pixels) of the model's mask and the hints, everything stays background.
        var seeds = Mask.FromBytes(240, 180, probability.Select((p, i) => p >= 0.5f || definite.Bits[i] != 0 ? (byte)1 : (byte)0).ToArray());
        var distance = PixelMaps.DistanceToTargets(seeds.Bits, 240, 180);
        for (int i = 0; i < distance.Length; i++) if (distance[i] > 8) Assert.Equal(0, refined.Bits[i]);
    }

    [Fact]
    public void TheMainObjectIsKeptByDefault()
    {
        // The model also fires on a clutter block apart from the object: the refinement keeps only the object.
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 45);
        var probability = ObjectPriorTests.CoarseProbability(scene.Truth, 0, 4);
        for (int y = 2; y < 22; y++) for (int x = 2; x < 22; x++) probability[y * 240 + x] = 0.9f;
        var refined = SoftMaskRefinement.Refine(scene.Image, probability, 4);
        for (int y = 2; y < 22; y++) for (int x = 2; x < 22; x++) Assert.False(refined[x, y]);
        Assert.True(SyntheticScene.IoU(refined, scene.Truth) > 0.95);
        var everything = SoftMaskRefinement.Refine(scene.Image, probability, 4, new SoftMaskRefinementOptions { Cleanup = MaskCleanupOptions.None });
        Assert.True(everything[10, 10]);
    }

    [Fact]
    public void NoModelMaskGivesAnEmptyMask() =>
        Assert.True(SoftMaskRefinement.Refine(new ColorImage(40, 30), new float[1200], 1).IsEmpty);
}

public class MaskCleanupTests
{
    private static Mask Draw(int w, int h, params PixelRect[] rects)
    {
        var mask = new Mask(w, h);
        foreach (var r in rects)
            for (int y = r.Y; y < r.Bottom; y++) for (int x = r.X; x < r.Right; x++) mask[x, y] = true;
        return mask;
    }

    [Fact]
    public void TheMainObjectIsThePartWithTheMostWeight()
    {
        var mask = Draw(60, 40, new PixelRect(2, 2, 10, 10), new PixelRect(30, 10, 20, 20));
        var byArea = MaskCleanup.Apply(mask, new MaskCleanupOptions { MainObjectOnly = true });
        Assert.False(byArea[5, 5]);
        Assert.True(byArea[40, 20]);
        // Weighted by a probability that trusts the small part much more, the small part is the main object.
        var weights = new float[60 * 40];
        for (int i = 0; i < weights.Length; i++) weights[i] = i % 60 < 20 ? 1f : 0.05f;
        var byWeight = MaskCleanup.Apply(mask, new MaskCleanupOptions { MainObjectOnly = true }, weights);
        Assert.True(byWeight[5, 5]);
        Assert.False(byWeight[40, 20]);
        // A part holding a definite-object pixel is always kept.
        var hint = Draw(60, 40, new PixelRect(4, 4, 1, 1));
        var kept = MaskCleanup.Apply(mask, new MaskCleanupOptions { MainObjectOnly = true }, default, hint);
        Assert.True(kept[5, 5] && kept[40, 20]);
        Assert.Equal(mask.ToBytes(), MaskCleanup.Apply(mask, MaskCleanupOptions.None).ToBytes());
    }

    [Fact]
    public void OnlyEnclosedHolesBelowTheFractionAreFilled()
    {
        // A 30×30 object (900 px) with a 3×3 hole (9 px = 1 %), a 6×6 hole (36 px = 4 %) and a notch open to the border.
        var mask = Draw(40, 40, new PixelRect(0, 5, 30, 30));
        for (int y = 10; y < 13; y++) for (int x = 10; x < 13; x++) mask[x, y] = false;
        for (int y = 20; y < 26; y++) for (int x = 10; x < 16; x++) mask[x, y] = false;
        for (int y = 15; y < 18; y++) for (int x = 0; x < 5; x++) mask[x, y] = false;
        var filled = MaskCleanup.Apply(mask, new MaskCleanupOptions { MaxHoleFraction = 0.02 });
        Assert.True(filled[11, 11]);   // small hole: filled
        Assert.False(filled[12, 22]);  // larger hole: kept
        Assert.False(filled[1, 16]);   // open to the image border: not a hole
        var hint = Draw(40, 40, new PixelRect(11, 11, 1, 1));
        Assert.False(MaskCleanup.Apply(mask, new MaskCleanupOptions { MaxHoleFraction = 0.02 }, default, null, hint)[11, 11]); // the user said background
    }

    [Fact]
    public void KeepPartsHoldingKeepsOnlyThePartsASeedTouchesEightConnected()
    {
        // Three parts: a square, a diagonal chain touching it corner to corner (the same part), and a separate bar.
        var mask = new Mask(12, 8);
        for (int y = 1; y < 4; y++) for (int x = 1; x < 4; x++) mask[x, y] = true;
        mask[4, 4] = true; mask[5, 5] = true;
        for (int x = 8; x < 11; x++) mask[x, 6] = true;
        var square = mask.Clone();
        MaskCleanup.KeepPartsHolding(square, [2 * 12 + 2]);
        Assert.Equal(11, square.CountSet());
        Assert.True(square[5, 5]);
        Assert.False(square[9, 6]);
        var both = mask.Clone();
        MaskCleanup.KeepPartsHolding(both, [2 * 12 + 2, 6 * 12 + 10, 0]); // the last seed is a background pixel
        Assert.Equal(mask.ToBytes(), both.ToBytes());
        var none = mask.Clone();
        MaskCleanup.KeepPartsHolding(none, [0]);
        Assert.True(none.IsEmpty);
    }

    [Theory]
    [InlineData(1, 0.45)]
    [InlineData(2, 0.55)]
    [InlineData(3, 0.62)]
    public void KeepPartsHoldingEqualsAPixelByPixelFillOnRandomMasks(int seed, double density)
    {
        // Random masks near the percolation threshold: many parts, winding runs that the scanline fill must follow
        // up and down and back along rows.
        var random = new Random(seed);
        int w = 57, h = 41;
        var mask = new Mask(w, h);
        for (int i = 0; i < w * h; i++) mask.Bits[i] = random.NextDouble() < density ? (byte)1 : (byte)0;
        var seeds = Enumerable.Range(0, 6).Select(_ => random.Next(w * h)).ToArray();
        var expected = new byte[w * h];
        var stack = new Stack<int>(seeds.Where(s => mask.Bits[s] != 0));
        while (stack.TryPop(out int i))
        {
            if (expected[i] != 0) continue;
            expected[i] = 1;
            int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx < (uint)w && (uint)ny < (uint)h && mask.Bits[ny * w + nx] != 0 && expected[ny * w + nx] == 0) stack.Push(ny * w + nx);
                }
        }
        MaskCleanup.KeepPartsHolding(mask, seeds);
        Assert.Equal(expected, mask.Bits.ToArray());
        Assert.Contains(expected, v => v != 0);
    }
}
