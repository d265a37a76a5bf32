using PdnSegmentation.Clicks;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Evaluation;

/// <summary>
/// The automatic user of the interactive-segmentation benchmarks (Xu et al., "Deep Interactive Object Selection",
/// CVPR 2016; as in the RITM / SimpleClick evaluation code). Each next click goes to the error pixel farthest from the
/// boundary of its error region: false negatives and false positives are each padded by one pixel, their Euclidean
/// distance transforms taken (already clicked pixels excluded), and the click is positive when the false negatives'
/// largest distance is the larger (ties: negative), at the first such pixel in row order. With an empty prediction the
/// first click lands at the object's most interior point. Ground truth 0 = background, 255 = object, any other value
/// (the GrabCut set's 128 band) is ignored, both in the error regions and in the IoU.
/// </summary>
public sealed class ClickProtocol
{
    private readonly byte[] _truth;
    private readonly bool[] _clicked;

    public int Width { get; }
    public int Height { get; }

    public ClickProtocol(int width, int height, ReadOnlySpan<byte> groundTruth)
    {
        ImageGuard.Size(width, height);
        if (groundTruth.Length != width * height) throw new ImageSizeMismatchException($"The ground truth has {groundTruth.Length} pixels, not {width}×{height}.");
        Width = width;
        Height = height;
        _truth = groundTruth.ToArray();
        _clicked = new bool[width * height];
    }

    /// <summary>The next click for <paramref name="prediction"/> (remembered as clicked), or null when there is no error left.</summary>
    public Click? Next(Mask prediction)
    {
        ImageGuard.SameSize("prediction", prediction.Width, prediction.Height, Width, Height);
        var bits = prediction.Bits;
        int w = Width, h = Height;
        // Padded by one pixel of "no error" on every side: the image border counts as a boundary of each error region.
        int pw = w + 2, ph = h + 2;
        var falseNegative = new byte[pw * ph];
        var falsePositive = new byte[pw * ph];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                byte t = _truth[i];
                if (t is not (0 or 255)) continue;
                bool truth = t == 255, guess = bits[i] != 0;
                if (truth && !guess) falseNegative[(y + 1) * pw + x + 1] = 1;
                else if (!truth && guess) falsePositive[(y + 1) * pw + x + 1] = 1;
            }
        var (fnIndex, fnDistance) = Farthest(falseNegative, pw, ph);
        var (fpIndex, fpDistance) = Farthest(falsePositive, pw, ph);
        if (fnDistance <= 0 && fpDistance <= 0) return null;
        bool positive = fnDistance > fpDistance;
        int index = positive ? fnIndex : fpIndex;
        _clicked[index] = true;
        return new Click(index % w, index / w, positive);
    }

    /// <summary>The interior pixel of an error region farthest from its boundary (first in row order), not yet clicked.</summary>
    private (int Index, float Distance) Farthest(byte[] error, int pw, int ph)
    {
        // Distance of every error pixel to the nearest non-error pixel = distance transform towards the complement.
        var complement = new byte[error.Length];
        for (int i = 0; i < error.Length; i++) complement[i] = error[i] == 0 ? (byte)1 : (byte)0;
        var distance = PixelMaps.DistanceToTargets(complement, pw, ph);
        int best = -1;
        float max = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                if (_clicked[i]) continue;
                float d = error[(y + 1) * pw + x + 1] != 0 ? distance[(y + 1) * pw + x + 1] : 0;
                if (d > max) { max = d; best = i; }
            }
        return (best, max);
    }

    /// <summary>IoU of a prediction with the ground truth, ignored pixels excluded.</summary>
    public double IoU(Mask prediction) => SegmentationScore.Compute(prediction, _truth).IoU;

    /// <summary>
    /// Clicks needed to reach <paramref name="threshold"/> IoU (1-based), given the IoU after each click; the maximum
    /// number of clicks when it was never reached.
    /// </summary>
    public static int ClicksToReach(IReadOnlyList<double> iouAfterEachClick, double threshold, int maxClicks)
    {
        for (int k = 0; k < iouAfterEachClick.Count && k < maxClicks; k++)
            if (iouAfterEachClick[k] >= threshold) return k + 1;
        return maxClicks;
    }
}
