namespace PdnSegmentation.Imaging;

/// <summary>Writes segmentation results back into BGRA pixels (what a cut-out is).</summary>
public static class Compositing
{
    /// <summary>
    /// A copy of <paramref name="image"/> whose alpha is the source alpha times the mask: opaque where the mask
    /// is set, transparent elsewhere. Colours are kept (straight alpha), so nothing is lost where alpha is 0.
    /// </summary>
    public static ColorImage CutOut(ColorImage image, Mask mask)
    {
        ImageGuard.SameSize("mask", mask.Width, mask.Height, image.Width, image.Height);
        var result = image.Clone();
        var bits = mask.Bits;
        for (int y = 0; y < image.Height; y++)
        {
            var row = result.Row(y);
            var maskRow = bits.Slice(y * mask.Width, mask.Width);
            for (int x = 0; x < maskRow.Length; x++)
                if (maskRow[x] == 0) row[x * 4 + 3] = 0;
        }
        return result;
    }

    /// <summary>A copy whose alpha is the source alpha scaled by the matte.</summary>
    public static ColorImage CutOut(ColorImage image, AlphaMatte matte)
    {
        ImageGuard.SameSize("alpha matte", matte.Width, matte.Height, image.Width, image.Height);
        var result = image.Clone();
        var alpha = matte.Values;
        for (int y = 0; y < image.Height; y++)
        {
            var row = result.Row(y);
            var alphaRow = alpha.Slice(y * matte.Width, matte.Width);
            for (int x = 0; x < alphaRow.Length; x++)
                row[x * 4 + 3] = (byte)Math.Clamp(MathF.Round(row[x * 4 + 3] * alphaRow[x]), 0f, 255f);
        }
        return result;
    }
}
