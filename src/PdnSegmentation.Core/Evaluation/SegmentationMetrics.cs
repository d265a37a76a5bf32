using PdnSegmentation.Imaging;

namespace PdnSegmentation.Evaluation;

/// <summary>
/// Agreement of a predicted mask with ground truth. Ground truth is 8-bit: 0 = background, 255 = object, and any
/// other value (the GrabCut database's 128) marks the unlabelled boundary band, which no measure counts.
/// </summary>
public readonly record struct SegmentationScore(double ErrorRate, double IoU, long Misclassified, long Counted)
{
    /// <param name="region">Pixels the error rate counts (e.g. the user's rectangle); null = the whole image.</param>
    public static SegmentationScore Compute(Mask predicted, ReadOnlySpan<byte> groundTruth, PixelRect? region = null)
    {
        int w = predicted.Width, h = predicted.Height;
        if (groundTruth.Length != w * h)
            throw new ImageSizeMismatchException($"The ground truth has {groundTruth.Length} pixels but the mask is {w}×{h}.");
        var r = (region ?? new PixelRect(0, 0, w, h)).Intersect(new PixelRect(0, 0, w, h));
        var bits = predicted.Bits;
        long wrong = 0, counted = 0, intersection = 0, union = 0;
        for (int y = 0; y < h; y++)
        {
            bool rowInRegion = y >= r.Y && y < r.Bottom;
            for (int x = 0, i = y * w; x < w; x++, i++)
            {
                byte t = groundTruth[i];
                if (t != 0 && t != 255) continue; // boundary band
                bool truth = t == 255, guess = bits[i] != 0;
                if (truth && guess) intersection++;
                if (truth || guess) union++;
                if (rowInRegion && x >= r.X && x < r.Right)
                {
                    counted++;
                    if (truth != guess) wrong++;
                }
            }
        }
        return new SegmentationScore(counted == 0 ? 0 : (double)wrong / counted, union == 0 ? 1 : (double)intersection / union, wrong, counted);
    }

    /// <summary>Intersection over union of two masks.</summary>
    public static double IntersectionOverUnion(Mask a, Mask b)
    {
        ImageGuard.SameSize("second mask", b.Width, b.Height, a.Width, a.Height);
        long inter = 0, union = 0;
        var x = a.Bits; var y = b.Bits;
        for (int i = 0; i < x.Length; i++)
        {
            bool p = x[i] != 0, q = y[i] != 0;
            if (p && q) inter++;
            if (p || q) union++;
        }
        return union == 0 ? 1 : (double)inter / union;
    }
}
