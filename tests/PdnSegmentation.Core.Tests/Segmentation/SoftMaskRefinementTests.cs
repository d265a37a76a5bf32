using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

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
