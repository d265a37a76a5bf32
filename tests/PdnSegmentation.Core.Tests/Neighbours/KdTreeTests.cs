using PdnSegmentation.Neighbours;

namespace PdnSegmentation.Tests.Neighbours;

public class KdTreeTests
{
    [Theory]
    [InlineData(1, 5, 1)]
    [InlineData(3000, 5, 20)]
    [InlineData(20000, 3, 7)]
    [InlineData(20000, 5, 7, 10f)] // information flow's known-to-unknown features: position weighted 10×
    public void FindsExactlyTheBruteForceNeighbours(int count, int dimensions, int k, float lastTwoScale = 1)
    {
        var random = new Random(count);
        var points = new float[count * dimensions];
        // Clustered values with many duplicates per coordinate, as colours are.
        for (int i = 0; i < points.Length; i++) points[i] = MathF.Round((float)random.NextDouble() * 16) / 16 + (i % dimensions == 0 ? 0 : (float)random.NextDouble() * 1e-3f);
        for (int i = 0; i < points.Length; i++) if (i % dimensions >= dimensions - 2) points[i] *= lastTwoScale;
        var tree = new KdTree(points, dimensions);
        var found = new int[k];
        var distances = new float[k];
        var query = new float[dimensions];
        for (int trial = 0; trial < 200; trial++)
        {
            int self = random.Next(count);
            for (int d = 0; d < dimensions; d++) query[d] = trial % 2 == 0 ? points[self * dimensions + d] : (float)random.NextDouble() * (d >= dimensions - 2 ? lastTwoScale : 1);
            int exclude = trial % 2 == 0 ? self : -1;
            int got = tree.Nearest(query, found, distances, exclude);
            var expected = Enumerable.Range(0, count).Where(i => i != exclude)
                .Select(i => (Index: i, Distance: Enumerable.Range(0, dimensions).Sum(d => (query[d] - points[i * dimensions + d]) * (query[d] - points[i * dimensions + d]))))
                .OrderBy(p => p.Distance).Take(k).ToList();
            Assert.Equal(expected.Count, got);
            for (int j = 0; j < got; j++)
            {
                Assert.Equal(expected[j].Distance, distances[j], 5);
                if (j > 0) Assert.True(distances[j] >= distances[j - 1]);
            }
            Assert.DoesNotContain(exclude, found[..got]);
        }
    }
}
