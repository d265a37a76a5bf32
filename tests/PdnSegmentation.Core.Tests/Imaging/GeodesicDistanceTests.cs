using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Imaging;

public class GeodesicDistanceTests
{
    /// <summary>Shortest 8-connected paths by Dijkstra, each step's cost as the sweeps define it: the exact answer.</summary>
    private static double[] Dijkstra(ColorImage image, byte[] seeds, double colourWeight)
    {
        int w = image.Width, h = image.Height;
        var distance = new double[w * h];
        Array.Fill(distance, double.PositiveInfinity);
        var queue = new PriorityQueue<int, double>();
        for (int i = 0; i < seeds.Length; i++)
            if (seeds[i] != 0) { distance[i] = 0; queue.Enqueue(i, 0); }
        while (queue.TryDequeue(out int i, out double d))
        {
            if (d > distance[i]) continue;
            int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((dx == 0 && dy == 0) || (uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                    var a = image[x, y];
                    var b = image[nx, ny];
                    double colour2 = Math.Pow(a.R - b.R, 2) + Math.Pow(a.G - b.G, 2) + Math.Pow(a.B - b.B, 2);
                    double step = Math.Sqrt(dx * dx + dy * dy + colourWeight * colourWeight * colour2);
                    int j = ny * w + nx;
                    if (d + step < distance[j]) { distance[j] = d + step; queue.Enqueue(j, d + step); }
                }
        }
        return distance;
    }

    [Theory]
    [InlineData(1, 0.05f)]
    [InlineData(2, 0.5f)]
    [InlineData(3, 0f)]
    public void EnoughSweepsReachTheShortestPaths(int seed, float colourWeight)
    {
        var image = SyntheticScene.ObjectOnClutter(61, 43, seed, noise: 25).Image;
        var seeds = new byte[61 * 43];
        seeds[20 * 61 + 30] = 1;
        seeds[3 * 61 + 58] = 1;
        var exact = Dijkstra(image, seeds, colourWeight);
        var swept = new GeodesicDistance(image, colourWeight).From(seeds, roundTrips: 12);
        for (int i = 0; i < exact.Length; i++)
            Assert.True(Math.Abs(exact[i] - swept[i]) <= 1e-4 * exact[i] + 1e-4, $"pixel {i}: {swept[i]} against {exact[i]}");
        // Two round trips (the default) only ever find real paths (never shorter), and on this noisy photo they are
        // within 5 % on average; single pixels whose shortest path turns back more than twice are found longer.
        var twoTrips = new GeodesicDistance(image, colourWeight).From(seeds);
        double excess = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            Assert.True(twoTrips[i] >= exact[i] * (1 - 1e-5) - 1e-4, $"pixel {i}: {twoTrips[i]} below the shortest path {exact[i]}");
            excess += exact[i] > 0 ? twoTrips[i] / exact[i] - 1 : 0;
        }
        Assert.True(excess / exact.Length < 0.05, $"mean excess {excess / exact.Length:P2}");
    }

    [Fact]
    public void OneInstanceServesManySeedsAsSeparateComputationsDo()
    {
        var image = SyntheticScene.ObjectOnClutter(97, 71, 4).Image;
        var distances = new GeodesicDistance(image, 0.1f, maxDegreeOfParallelism: 2);
        for (int k = 0; k < 3; k++)
        {
            var seeds = new byte[97 * 71];
            seeds[(10 + 20 * k) * 97 + 15 + 30 * k] = 1;
            Assert.Equal(new GeodesicDistance(image, 0.1f, maxDegreeOfParallelism: 1).From(seeds), distances.From(seeds));
        }
        // Without seeds every pixel is unreachable; seeds of another size are refused.
        Assert.All(distances.From(new byte[97 * 71]), d => Assert.Equal(float.PositiveInfinity, d));
        Assert.Throws<ImageSizeMismatchException>(() => distances.From(new byte[10]));
    }
}
