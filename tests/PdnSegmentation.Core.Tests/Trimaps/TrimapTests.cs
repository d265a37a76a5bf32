using PdnSegmentation.Imaging;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Tests.Trimaps;

public class TrimapTests
{
    private static Mask Disc(int size, double radius)
    {
        var mask = new Mask(size, size);
        double c = (size - 1) / 2.0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                mask[x, y] = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c)) <= radius;
        return mask;
    }

    [Fact]
    public void BandFollowsTheEdgeOnBothSides()
    {
        var mask = Disc(101, 30);
        var trimap = TrimapBuilder.FromMask(mask, new TrimapBandOptions { BandWidth = 5 });
        double c = 50;
        for (int y = 0; y < 101; y++)
            for (int x = 0; x < 101; x++)
            {
                double r = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c));
                var label = trimap[x, y];
                if (r < 30 - 6.5) Assert.Equal(TrimapLabel.Foreground, label);
                else if (r > 30 + 6.5) Assert.Equal(TrimapLabel.Background, label);
                else if (Math.Abs(r - 30) < 4) Assert.Equal(TrimapLabel.Unknown, label);
                if (label == TrimapLabel.Foreground) Assert.True(mask[x, y]);
                if (label == TrimapLabel.Background) Assert.False(mask[x, y]);
            }
    }

    [Fact]
    public void UncertaintyWidensTheBandOnlyWhereItIsHigh()
    {
        var mask = Disc(101, 30);
        var uncertainty = new float[101 * 101];
        for (int y = 0; y < 101; y++) for (int x = 50; x < 101; x++) uncertainty[y * 101 + x] = 1; // right half unsure
        var trimap = TrimapBuilder.FromMask(mask, new TrimapBandOptions { BandWidth = 3, UncertaintyGain = 2 }, uncertainty);
        // 12 px outside the edge: unknown on the unsure right (band 9), background on the sure left (band 3).
        Assert.Equal(TrimapLabel.Unknown, trimap[50 + 30 + 8, 50]);
        Assert.Equal(TrimapLabel.Background, trimap[50 - 30 - 8, 50]);
    }

    [Fact]
    public void MaskWithoutEdgesGivesNoUnknown()
    {
        var full = new Mask(20, 10).Invert();
        var trimap = TrimapBuilder.FromMask(full);
        Assert.Equal(200, trimap.Count(TrimapLabel.Foreground));
    }

    [Fact]
    public void PaintedGreysReadAsUnknown()
    {
        var trimap = Trimap.FromGray(4, 1, new byte[] { 0, 1, 254, 255 });
        Assert.Equal(new[] { TrimapLabel.Background, TrimapLabel.Unknown, TrimapLabel.Unknown, TrimapLabel.Foreground },
            Enumerable.Range(0, 4).Select(x => trimap[x, 0]));
    }

    [Theory]
    [InlineData(new byte[] { 0, 128, 128, 0 }, "no foreground")]
    [InlineData(new byte[] { 255, 128, 128, 255 }, "no background")]
    [InlineData(new byte[] { 0, 255, 255, 0 }, "no unknown region")]
    public void ValidatorNamesWhatIsMissing(byte[] grey, string message)
    {
        var trimap = Trimap.FromGray(2, 2, grey);
        var e = Assert.Throws<SegmentationInputException>(() => TrimapValidator.Validate(trimap, 2, 2));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ValidatorRejectsAnotherSize()
    {
        var trimap = Trimap.FromGray(2, 2, new byte[] { 0, 128, 255, 0 });
        var e = Assert.Throws<ImageSizeMismatchException>(() => TrimapValidator.Validate(trimap, 3, 2));
        Assert.Contains("trimap is 2×2 but the image is 3×2", e.Message);
        TrimapValidator.Validate(trimap, 2, 2); // a good trimap passes
    }
}
