using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Imaging;

public class LocalLinearUpsamplingTests
{
    // A reduction that is not a whole number (as a model's 320-pixel input is of a photo): 600 / 187, 420 / 131.
    private const int Width = 600, Height = 420, SmallWidth = 187, SmallHeight = 131;

    [Fact]
    public void AMapAffineInTheColoursComesBackExactlyAtThePhotosSize()
    {
        var scene = SyntheticScene.ObjectOnClutter(Width, Height, 3, noise: 12);
        var small = PixelMaps.Resize(scene.Image, SmallWidth, SmallHeight);
        // Different weights per channel: a swapped channel order would not come back.
        static float Affine(ReadOnlySpan<byte> bgra, int x) => 0.3f + (0.5f * bgra[4 * x + 2] - 0.2f * bgra[4 * x + 1] + 0.1f * bgra[4 * x]) / 255f;
        var map = new float[SmallWidth * SmallHeight];
        for (int y = 0; y < SmallHeight; y++)
            for (int x = 0; x < SmallWidth; x++)
                map[y * SmallWidth + x] = Affine(small.Row(y), x);
        var output = Upsample(scene.Image, small, map, epsilon: 1e-9);
        double worst = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                worst = Math.Max(worst, Math.Abs(output[y * Width + x] - Affine(scene.Image.Row(y), x)));
        Assert.True(worst < 1e-3, $"largest difference {worst}");
    }

    [Fact]
    public void TheReducedMapsEdgesComeBackAlongThePhotosEdgesAsTheFullSizeGuidedFilterBringsThem()
    {
        var scene = SyntheticScene.ObjectOnClutter(Width, Height, 5, noise: 10);
        // What a model gives: the object's outline at its own resolution, soft where its pixels straddle the edge.
        var truth = new float[Width * Height];
        for (int i = 0; i < truth.Length; i++) truth[i] = scene.Truth.Bits[i];
        var map = PixelMaps.ResizeFloat(truth, Width, Height, SmallWidth, SmallHeight);
        var small = PixelMaps.Resize(scene.Image, SmallWidth, SmallHeight);
        var fast = Mask.FromProbability(Width, Height, Upsample(scene.Image, small, map, epsilon: 1e-3));
        var full = Mask.FromProbability(Width, Height, PixelMaps.GuidedUpsample(scene.Image, map, SmallWidth, SmallHeight, 6, 1e-3));
        var enlarged = Mask.FromProbability(Width, Height, PixelMaps.ResizeFloat(map, SmallWidth, SmallHeight, Width, Height));
        int fastWrong = Wrong(fast, scene.Truth), fullWrong = Wrong(full, scene.Truth), enlargedWrong = Wrong(enlarged, scene.Truth);
        Assert.True(4 * fastWrong < enlargedWrong, $"wrong pixels: fit at the reduced size {fastWrong}, the map enlarged {enlargedWrong}");
        Assert.True(fastWrong <= fullWrong + 50, $"wrong pixels: fit at the reduced size {fastWrong}, guided filter at full size {fullWrong}");
    }

    [Fact]
    public void OnlyThePixelsAskedForAreWritten()
    {
        var scene = SyntheticScene.ObjectOnClutter(Width, Height, 6);
        var small = PixelMaps.Resize(scene.Image, SmallWidth, SmallHeight);
        var map = new float[SmallWidth * SmallHeight];
        Array.Fill(map, 0.25f);
        var region = new PixelRect(0, 0, SmallWidth, SmallHeight);
        var coefficients = LocalLinearUpsampling.Coefficients(small, map, 2, 1e-3, region, 2);
        var where = new byte[Width * Height];
        for (int i = 0; i < where.Length; i += 3) where[i] = 7;
        var output = new float[Width * Height];
        Array.Fill(output, -1f);
        LocalLinearUpsampling.Apply(scene.Image, coefficients, region, (double)Width / SmallWidth, (double)Height / SmallHeight, output, 2, default, where, 7);
        for (int i = 0; i < output.Length; i++)
            if (where[i] == 7) Assert.Equal(0.25f, output[i], 1e-4f);
            else Assert.Equal(-1f, output[i]);
    }

    [Fact]
    public void MismatchedSizesAreRefused()
    {
        var image = new ColorImage(40, 30);
        var small = new ColorImage(10, 10);
        var region = new PixelRect(0, 0, 10, 10);
        Assert.Throws<ArgumentException>(() => LocalLinearUpsampling.Coefficients(small, new float[99], 1, 1e-3, region, 1));
        var coefficients = LocalLinearUpsampling.Coefficients(small, new float[100], 1, 1e-3, region, 1);
        Assert.Throws<ArgumentException>(() => LocalLinearUpsampling.Apply(image, coefficients, region, 4, 3, new float[40 * 29], 1));
        Assert.Throws<ArgumentException>(() => LocalLinearUpsampling.Apply(image, coefficients, new PixelRect(0, 0, 9, 10), 4, 3, new float[40 * 30], 1));
    }

    private static int Wrong(Mask mask, Mask truth)
    {
        int wrong = 0;
        for (int i = 0; i < truth.Bits.Length; i++) if (mask.Bits[i] != truth.Bits[i]) wrong++;
        return wrong;
    }

    private static float[] Upsample(ColorImage image, ColorImage small, float[] map, double epsilon)
    {
        var region = new PixelRect(0, 0, small.Width, small.Height);
        var coefficients = LocalLinearUpsampling.Coefficients(small, map, 2, epsilon, region, 2);
        var output = new float[image.Width * image.Height];
        LocalLinearUpsampling.Apply(image, coefficients, region, (double)image.Width / small.Width, (double)image.Height / small.Height, output, 2);
        return output;
    }
}
