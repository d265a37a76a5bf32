using PdnSegmentation.Imaging;

namespace PdnSegmentation.LazySnapping;

/// <summary>
/// The region adjacency graph of a pre-segmentation: per region its pixel count and mean colour, per pair of
/// touching regions the summed pixel-level prior g(C_ij)/length over the pixel pairs across their shared boundary.
/// Li et al. weight region edges by the mean colours alone; summing the pixel weights makes the region cut the
/// pixel-level energy restricted to unions of regions, so the two cuts agree away from region boundaries.
/// </summary>
internal sealed class RegionGraph
{
    public int[] PixelCount { get; }
    private readonly double[] _colorSums;
    public (int A, int B, double Weight)[] Edges { get; }

    private RegionGraph(int[] pixelCount, double[] colorSums, (int, int, double)[] edges)
    {
        PixelCount = pixelCount;
        _colorSums = colorSums;
        Edges = edges;
    }

    public (float R, float G, float B) MeanColor(int region)
    {
        double n = Math.Max(1, PixelCount[region]);
        return ((float)(_colorSums[3 * region] / n), (float)(_colorSums[3 * region + 1] / n), (float)(_colorSums[3 * region + 2] / n));
    }

    public static RegionGraph Build(ColorImage image, RegionMap regions, float inverseMeanContrast)
    {
        int w = image.Width, h = image.Height, n = regions.Count;
        var labels = regions.Labels;
        var count = new int[n];
        var sums = new double[3 * n];
        var weights = new Dictionary<long, double>();
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, a = labels[i];
                count[a]++;
                sums[3 * a] += row[4 * x + 2]; sums[3 * a + 1] += row[4 * x + 1]; sums[3 * a + 2] += row[4 * x];
                for (int d = 0; d < 4; d++)
                {
                    int nx = x + ContrastPrior.Dx[d], ny = y + ContrastPrior.Dy[d];
                    if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                    int b = labels[ny * w + nx];
                    if (b == a) continue;
                    float weight = ContrastPrior.G(ContrastPrior.SquaredContrast(image, x, y, nx, ny) * inverseMeanContrast) * ContrastPrior.InverseLength[d];
                    long key = a < b ? (long)a * n + b : (long)b * n + a;
                    weights[key] = weights.GetValueOrDefault(key) + weight;
                }
            }
        }
        var edges = new (int, int, double)[weights.Count];
        int e = 0;
        foreach (var (key, weight) in weights.OrderBy(p => p.Key)) edges[e++] = ((int)(key / n), (int)(key % n), weight);
        return new RegionGraph(count, sums, edges);
    }
}
