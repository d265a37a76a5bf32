using PdnSegmentation.Imaging;

namespace PdnSegmentation.TestSupport;

/// <summary>Generated matting problems with a known answer.</summary>
public static class MattingScenes
{
    /// <summary>
    /// I = αF + (1−α)B with F and B smooth (the colour-line model holds in every window) and α a soft ramp
    /// with a wavy edge; the trimap marks α = 0 / 1 as known and everything soft as unknown.
    /// </summary>
    public static (ColorImage Image, Trimap Trimap, float[] Alpha) SmoothBlend(int w, int h)
    {
        var image = new ColorImage(w, h);
        var trimap = new Trimap(w, h);
        var alpha = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double edge = w / 2.0 + 6 * Math.Sin(y / 9.0);
                double a = Math.Clamp((x - edge) / 12.0 + 0.5, 0, 1);
                double fb = 200 - 0.5 * y, fg = 60 + 0.3 * x, fr = 40;
                double bb = 30, bg = 120 + 0.4 * y, br = 220 - 0.3 * x;
                byte B = (byte)Math.Round(a * fb + (1 - a) * bb), G = (byte)Math.Round(a * fg + (1 - a) * bg), R = (byte)Math.Round(a * fr + (1 - a) * br);
                image[x, y] = new Bgra32(B, G, R, 255);
                alpha[y * w + x] = (float)a;
                trimap[x, y] = a <= 0 ? TrimapLabel.Background : a >= 1 ? TrimapLabel.Foreground : TrimapLabel.Unknown;
            }
        return (image, trimap, alpha);
    }

    /// <summary>The trimap with its unknown region grown horizontally by <paramref name="pixels"/> on each side.</summary>
    public static Trimap GrowUnknown(Trimap trimap, int pixels)
    {
        int w = trimap.Width, h = trimap.Height;
        var grown = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool nearSoft = false;
                for (int dx = -pixels; dx <= pixels && !nearSoft; dx++)
                    nearSoft = x + dx >= 0 && x + dx < w && trimap[x + dx, y] == TrimapLabel.Unknown;
                grown[x, y] = nearSoft ? TrimapLabel.Unknown : trimap[x, y];
            }
        return grown;
    }
}

/// <summary>Records every progress report, synchronously (Progress&lt;T&gt; would post them later).</summary>
public sealed class ProgressRecorder : IProgress<double>
{
    public List<double> Values { get; } = new();
    public void Report(double value) => Values.Add(value);
    public bool IsMonotoneToOne => Values.Count > 0 && Values[^1] == 1 && Values.Zip(Values.Skip(1)).All(p => p.Second >= p.First);
}
