using PdnSegmentation.Imaging;

namespace PdnSegmentation.Evaluation;

/// <summary>
/// Mean distance between a mask's boundary and the ground truth's contour, symmetric (the mean of both directions'
/// mean nearest-pixel distances). The true contour is every unlabelled band pixel (values other than 0 and 255) and
/// every object pixel (255) next to a background pixel (0): a boundary anywhere inside the band is exact.
/// </summary>
public static class BoundaryDistance
{
    public static double Mean(Mask predicted, ReadOnlySpan<byte> truth)
    {
        int w = predicted.Width, h = predicted.Height;
        if (truth.Length != w * h) throw new ArgumentException("The ground truth and the mask differ in size.");
        var trueContour = new byte[w * h];
        var predictedContour = new byte[w * h];
        var bits = predicted.Bits;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                byte t = truth[i];
                bool onTruth = (t != 0 && t != 255) || (t == 255 && AnyNeighbour(truth, w, h, x, y, v => v == 0));
                trueContour[i] = onTruth ? (byte)1 : (byte)0;
                bool onPredicted = bits[i] != 0 && AnyNeighbour(bits, w, h, x, y, v => v == 0);
                predictedContour[i] = onPredicted ? (byte)1 : (byte)0;
            }
        var toTruth = PixelMaps.DistanceToTargets(trueContour, w, h);
        var toPredicted = PixelMaps.DistanceToTargets(predictedContour, w, h);
        double sumA = 0, sumB = 0;
        long countA = 0, countB = 0;
        for (int i = 0; i < w * h; i++)
        {
            if (predictedContour[i] != 0) { sumA += toTruth[i]; countA++; }
            if (trueContour[i] != 0) { sumB += toPredicted[i]; countB++; }
        }
        if (countA == 0 || countB == 0) return double.PositiveInfinity;
        return 0.5 * (sumA / countA + sumB / countB);
    }

    private static bool AnyNeighbour(ReadOnlySpan<byte> values, int w, int h, int x, int y, Func<byte, bool> test) =>
        (x > 0 && test(values[y * w + x - 1])) || (x + 1 < w && test(values[y * w + x + 1])) ||
        (y > 0 && test(values[(y - 1) * w + x])) || (y + 1 < h && test(values[(y + 1) * w + x]));
}
