using System.Runtime.CompilerServices;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Imaging;

/// <summary>
/// The image's typical colour contrast: the mean squared colour difference ‖z_m − z_n‖² over all 8-neighbour pairs.
/// Contrast-sensitive smoothness terms divide by it (GrabCut's β, Lazy Snapping's prior) so one weight suits low- and
/// high-contrast photos. Summed per fixed row chunk and merged in order, so it does not depend on the thread count.
/// </summary>
public static class NeighbourContrast
{
    /// <summary>The mean over all neighbour pairs, or 0 for an image without any pair.</summary>
    public static double MeanSquaredDifference(ColorImage image, int parallelism)
    {
        int w = image.Width, h = image.Height;
        var sums = new double[RowChunks.Count];
        var counts = new long[RowChunks.Count];
        RowChunks.Run(h, parallelism, CancellationToken.None, (chunk, y0, y1) =>
        {
            double sum = 0;
            long count = 0;
            for (int y = y0; y < y1; y++)
            {
                var row = image.Row(y);
                var below = y + 1 < h ? image.Row(y + 1) : default;
                for (int x = 0; x < w; x++)
                {
                    int o = x * 4;
                    if (x + 1 < w) { sum += Distance2(row, o, row, o + 4); count++; }
                    if (!below.IsEmpty)
                    {
                        sum += Distance2(row, o, below, o); count++;
                        if (x + 1 < w) { sum += Distance2(row, o, below, o + 4); count++; }
                        if (x > 0) { sum += Distance2(row, o, below, o - 4); count++; }
                    }
                }
            }
            sums[chunk] = sum;
            counts[chunk] = count;
        });
        long n = counts.Sum();
        return n == 0 ? 0 : sums.Sum() / n;
    }

    /// <summary>‖a[ia] − b[ib]‖² over the B, G, R bytes of two pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Distance2(ReadOnlySpan<byte> a, int ia, ReadOnlySpan<byte> b, int ib)
    {
        int d0 = a[ia] - b[ib], d1 = a[ia + 1] - b[ib + 1], d2 = a[ia + 2] - b[ib + 2];
        return d0 * d0 + d1 * d1 + d2 * d2;
    }
}
