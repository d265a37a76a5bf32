using PdnSegmentation.Imaging;

namespace PdnSegmentation.PaintDotNet.Effects;

public enum OutputMode
{
    /// <summary>The object keeps its pixels (edge colours cleaned where a matte was estimated); the rest turns transparent.</summary>
    CutOut,
    /// <summary>The alpha as an opaque black-and-white (grey at soft edges) picture, to inspect the cut.</summary>
    MaskPreview,
    /// <summary>The background is kept and the object made transparent.</summary>
    InvertedCutOut,
}

public enum EdgeQuality
{
    /// <summary>The hard cut: every pixel fully in or out.</summary>
    Hard,
    /// <summary>GrabCut's border matting: a fitted soft profile along the edge (fast).</summary>
    BorderMatting,
    /// <summary>Closed-form matting in a band along the edge: hair-level alpha (slower).</summary>
    RefinedMatte,
}

/// <summary>Turns an alpha matte into the pixels written back to the layer, for each output mode.</summary>
internal static class CutOutput
{
    /// <param name="foreground">Estimated object colours (decontaminated), or null to keep the layer's colours.</param>
    /// <param name="selectionCoverage">When given, pixels outside the selection (coverage 0) keep their original value and
    /// partly covered ones blend — the "clear outside selection" option turned off.</param>
    /// <param name="replaceLayerAlpha">False: the new alpha is the layer's alpha times the matte (cutting a photo);
    /// true: the matte replaces the layer's alpha (refining an earlier hard cut, whose alpha is what is being redone).</param>
    public static ColorImage Compose(ColorImage source, ReadOnlySpan<float> alpha, ColorImage? foreground, OutputMode mode, byte[]? selectionCoverage,
        bool replaceLayerAlpha = false)
    {
        int w = source.Width, h = source.Height;
        var result = new ColorImage(w, h);
        for (int y = 0; y < h; y++)
        {
            var src = source.Row(y);
            var fg = foreground is null ? default : foreground.Row(y);
            var dst = result.Row(y);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, p = 4 * x;
                float a = alpha[i];
                byte b, g, r, outA;
                int layerA = replaceLayerAlpha ? 255 : src[p + 3];
                switch (mode)
                {
                    case OutputMode.MaskPreview:
                        b = g = r = ToByte(a * 255f);
                        outA = 255;
                        break;
                    case OutputMode.InvertedCutOut:
                        b = src[p]; g = src[p + 1]; r = src[p + 2];
                        outA = ToByte(layerA * (1 - a));
                        break;
                    default:
                        if (foreground is not null && a > 0) { b = fg[p]; g = fg[p + 1]; r = fg[p + 2]; }
                        else { b = src[p]; g = src[p + 1]; r = src[p + 2]; }
                        outA = ToByte(layerA * a);
                        break;
                }
                if (selectionCoverage is not null && selectionCoverage[i] != 255)
                {
                    int c = selectionCoverage[i];
                    b = Lerp(src[p], b, c); g = Lerp(src[p + 1], g, c); r = Lerp(src[p + 2], r, c); outA = Lerp(src[p + 3], outA, c);
                }
                dst[p] = b; dst[p + 1] = g; dst[p + 2] = r; dst[p + 3] = outA;
            }
        }
        return result;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
    private static byte Lerp(byte from, byte to, int coverage) => (byte)((from * (255 - coverage) + to * coverage + 127) / 255);
}
