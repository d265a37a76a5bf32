using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Imaging;

public class GuidedMaskUpsamplerTests
{
    private const int Width = 600, Height = 420, Factor = 3;

    [Fact]
    public void TiledUpsamplingIsTheWholePhotoGuidedFilter()
    {
        var (scene, coarse, upsampler) = Start(7);
        var tiled = upsampler.Upsample(coarse);
        var whole = WholePhoto(scene.Image, coarse);
        Assert.True(Differing(tiled, whole) <= 3, $"{Differing(tiled, whole)} pixels differ");
        // The filter follows the photo's edge: closer to the truth than the coarse mask enlarged.
        var blocky = Mask.FromProbability(Width, Height, PixelMaps.ResizeFloat(Floats(coarse), coarse.Width, coarse.Height, Width, Height));
        Assert.True(SyntheticScene.IoU(tiled, scene.Truth) > SyntheticScene.IoU(blocky, scene.Truth));
    }

    [Fact]
    public void AfterALocalChangeTheResultIsThatOfAFreshUpsampler()
    {
        var (scene, first, upsampler) = Start(8);
        var before = upsampler.Upsample(first);
        // A wrongly added blob far from the object, then a part of the object taken away.
        var second = first.Clone();
        for (int y = 5; y < 25; y++) for (int x = 5; x < 30; x++) second[x, y] = true;
        var bounds = first.Bounds();
        for (int y = bounds.Y; y < bounds.Y + bounds.Height / 3; y++) for (int x = bounds.X; x < bounds.Right; x++) second[x, y] = false;
        var after = upsampler.Upsample(second);
        var fresh = new GuidedMaskUpsampler(scene.Image, first.Width, first.Height, 2 * Factor, 1e-3).Upsample(second);
        Assert.Equal(0, Differing(after, fresh));
        Assert.True(Differing(before, after) > 1000);
        // The caller's copy is its own: changing it does not change the next result.
        after.Bits.Fill(1);
        Assert.Equal(0, Differing(upsampler.Upsample(second), fresh));
    }

    [Fact]
    public void AMaskOfTheWrongSizeIsRefused()
    {
        var scene = SyntheticScene.ObjectOnClutter(120, 90, 9);
        var upsampler = new GuidedMaskUpsampler(scene.Image, 40, 30, 6, 1e-3);
        Assert.Throws<ImageSizeMismatchException>(() => upsampler.Upsample(new Mask(41, 30)));
    }

    /// <summary>A scene, its truth cut at a third of the size, and an upsampler for the two.</summary>
    private static (SyntheticScene Scene, Mask Coarse, GuidedMaskUpsampler Upsampler) Start(int seed)
    {
        var scene = SyntheticScene.ObjectOnClutter(Width, Height, seed, noise: 10);
        var coarse = Coarse(scene.Truth);
        return (scene, coarse, new GuidedMaskUpsampler(scene.Image, coarse.Width, coarse.Height, 2 * Factor, 1e-3));
    }

    private static Mask Coarse(Mask truth) =>
        Mask.FromProbability(Width / Factor, Height / Factor, PixelMaps.ResizeFloat(Floats(truth), Width, Height, Width / Factor, Height / Factor));

    private static float[] Floats(Mask mask)
    {
        var values = new float[mask.Bits.Length];
        for (int i = 0; i < values.Length; i++) values[i] = mask.Bits[i];
        return values;
    }

    private static Mask WholePhoto(ColorImage image, Mask coarse) =>
        Mask.FromProbability(image.Width, image.Height, PixelMaps.GuidedUpsample(image, Floats(coarse), coarse.Width, coarse.Height, 2 * Factor, 1e-3));

    private static int Differing(Mask a, Mask b)
    {
        int n = 0;
        for (int i = 0; i < a.Bits.Length; i++) if (a.Bits[i] != b.Bits[i]) n++;
        return n;
    }
}
