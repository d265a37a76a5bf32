using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Mrf;

/// <summary>
/// One Gaussian colour likelihood per label (full covariance, colours 0..255): the data term
/// D_p(l) = −log N(I_p | μ_l, Σ_l) of the MRF.
/// </summary>
public sealed class LabelModels
{
    private const double Ridge = 1;
    private readonly ColorGaussian[] _labels;

    public LabelModels(ColorGaussian[] labels)
    {
        if (labels.Length < 2) throw new ArgumentException("An MRF segmentation needs at least two labels.", nameof(labels));
        _labels = labels;
    }

    public int Count => _labels.Length;
    public ColorGaussian this[int label] => _labels[label];

    /// <summary>−log N(colour | label) for a pixel's B, G, R bytes.</summary>
    public double DataCost(int label, byte b, byte g, byte r) => -_labels[label].LogDensity(r, g, b);

    /// <summary>Labels found in the image itself: k-means (best of 3) on up to 100 000 evenly sampled pixels.</summary>
    public static LabelModels FromImage(ColorImage image, int labels, int seed = 1)
    {
        if (labels < 2 || labels > 255) throw new SegmentationInputException($"The number of labels must be between 2 and 255 (got {labels}).");
        long stride = Math.Max(1, image.PixelCount / 100_000);
        var samples = new List<float>();
        for (long i = 0; i < image.PixelCount; i += stride)
        {
            var c = image[(int)(i % image.Width), (int)(i / image.Width)];
            samples.Add(c.R); samples.Add(c.G); samples.Add(c.B);
        }
        var data = samples.ToArray();
        int n = data.Length / 3;
        if (n < labels) throw new SegmentationInputException($"The image has {n} pixels, too few for {labels} labels.");
        var assignment = new int[n];
        KMeans.ClusterBestOf(data, labels, assignment, attempts: 3, maxIterations: 20, seed);
        var stats = new GaussianStatistics[labels];
        for (int i = 0; i < n; i++) stats[assignment[i]].Add(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
        return FromStatistics(stats, "colour cluster");
    }

    /// <summary>Labels from strokes: one mask per label, each label's Gaussian fitted to its stroked pixels.</summary>
    public static LabelModels FromScribbles(ColorImage image, IReadOnlyList<Mask> strokes)
    {
        if (strokes.Count < 2) throw new SegmentationInputException("Paint strokes for at least two labels.");
        var stats = new GaussianStatistics[strokes.Count];
        for (int l = 0; l < strokes.Count; l++)
        {
            ImageGuard.SameSize($"strokes of label {l}", strokes[l].Width, strokes[l].Height, image.Width, image.Height);
            var bits = strokes[l].Bits;
            for (int i = 0; i < bits.Length; i++)
            {
                if (bits[i] == 0) continue;
                var c = image[i % image.Width, i / image.Width];
                stats[l].Add(c.R, c.G, c.B);
            }
        }
        return FromStatistics(stats, "label's strokes");
    }

    private static LabelModels FromStatistics(GaussianStatistics[] stats, string what)
    {
        var labels = new ColorGaussian[stats.Length];
        for (int l = 0; l < stats.Length; l++)
        {
            if (stats[l].Weight < 1) throw new SegmentationInputException($"Label {l} has no pixels ({what}): paint it, or ask for fewer labels.");
            labels[l] = ColorGaussian.FromStatistics(stats[l], 1.0 / stats.Length, Ridge);
        }
        return new LabelModels(labels);
    }
}
