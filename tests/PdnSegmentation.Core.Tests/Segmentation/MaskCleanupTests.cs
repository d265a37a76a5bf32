using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

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
