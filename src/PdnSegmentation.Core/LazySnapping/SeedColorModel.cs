using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.LazySnapping;

/// <summary>
/// Lazy Snapping's likelihood (Li, Sun, Tang &amp; Shum 2004): the seed colours of each kind clustered by k-means;
/// a colour's distances d_F, d_B to the nearest object / background centre give the costs d_F / (d_F + d_B) of
/// calling it object and d_B / (d_F + d_B) of calling it background.
/// </summary>
public sealed class SeedColorModel
{
    /// <summary>Seeds beyond this many per kind are sampled evenly: the centres barely move and clustering stays fast.</summary>
    private const int MaxSamples = 8192;

    private readonly float[] _foreground, _background;
    private readonly int _foregroundCount, _backgroundCount;

    private SeedColorModel(float[] foreground, float[] background)
    {
        _foreground = foreground;
        _background = background;
        _foregroundCount = foreground.Length / 3;
        _backgroundCount = background.Length / 3;
    }

    public static SeedColorModel Fit(ColorImage image, Mask foreground, Mask background, int clusters, int seed = 1) =>
        new(Centers(image, foreground, clusters, seed), Centers(image, background, clusters, seed));

    /// <summary>The same model with one kind's centres refitted (after a stroke of that kind was added).</summary>
    public SeedColorModel Refit(ColorImage image, Mask strokes, bool foreground, int clusters, int seed = 1) =>
        foreground ? new(Centers(image, strokes, clusters, seed), _background) : new(_foreground, Centers(image, strokes, clusters, seed));

    private static float[] Centers(ColorImage image, Mask seeds, int clusters, int seed)
    {
        long count = seeds.CountSet();
        if (count == 0) throw new SegmentationInputException("A colour model needs at least one stroke of each kind.");
        long stride = Math.Max(1, (count + MaxSamples - 1) / MaxSamples);
        var samples = new List<float>();
        var bits = seeds.Bits;
        long seen = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] == 0 || seen++ % stride != 0) continue;
            var c = image[i % image.Width, i / image.Width];
            samples.Add(c.R); samples.Add(c.G); samples.Add(c.B);
        }
        var data = samples.ToArray();
        int k = Math.Min(clusters, data.Length / 3);
        return KMeans.Cluster(data, k, new int[data.Length / 3], maxIterations: 10, seed: seed);
    }

    /// <summary>E1 of labelling colour (r, g, b) object and background.</summary>
    public (float Foreground, float Background) Costs(float r, float g, float b)
    {
        KMeans.Nearest(_foreground, _foregroundCount, r, g, b, out float df2);
        KMeans.Nearest(_background, _backgroundCount, r, g, b, out float db2);
        float df = MathF.Sqrt(df2), db = MathF.Sqrt(db2), sum = df + db;
        return sum > 0 ? (df / sum, db / sum) : (0.5f, 0.5f);
    }
}
