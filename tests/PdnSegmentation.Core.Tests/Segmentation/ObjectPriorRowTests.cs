using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Tests.Segmentation;

/// <summary>The prior's row-at-a-time (vectorised) conversions against the per-pixel definitions.</summary>
public class ObjectPriorRowTests
{
    private static float[] Probabilities(int n, int seed)
    {
        var random = new Random(seed);
        // Certain, near-certain and ordinary values, and a length that leaves a scalar tail after the vectors.
        return Enumerable.Range(0, n).Select(i => (i % 7) switch
        {
            0 => 0f,
            1 => 1f,
            2 => 1e-9f,
            3 => 1 - 1e-7f,
            _ => (float)random.NextDouble(),
        }).ToArray();
    }

    [Fact]
    public void LogOddsOfARunEqualThoseOfEachPixel()
    {
        var p = Probabilities(203, 1);
        var run = new float[p.Length];
        ObjectPrior.ToLogOdds(p, run);
        for (int i = 0; i < p.Length; i++)
        {
            float one = ObjectPrior.ToLogOdds(p[i]);
            Assert.True(Math.Abs(run[i] - one) <= 1e-5f * Math.Max(1, Math.Abs(one)), $"p = {p[i]}: {run[i]} against {one}");
            Assert.InRange(run[i], -ObjectPrior.MaxLogOdds, ObjectPrior.MaxLogOdds);
        }
        Assert.Equal(-ObjectPrior.MaxLogOdds, run[0]);
        Assert.Equal(ObjectPrior.MaxLogOdds, run[1]);
    }

    [Fact]
    public void RowCostsEqualEachPixelsCosts()
    {
        int w = 37, h = 5;
        var logOdds = Probabilities(w * h, 2).Select((p, i) => i % 11 == 0 ? 40f * (i % 2 == 0 ? 1 : -1) : ObjectPrior.ToLogOdds(p)).ToArray();
        var prior = new ObjectPrior(w, h, logOdds, weight: 3.5f);
        var objectCost = new float[w - 3];
        var backgroundCost = new float[w - 3];
        for (int y = 0; y < h; y++)
        {
            prior.RowCosts(y * w + 3, objectCost, backgroundCost);
            for (int x = 0; x < objectCost.Length; x++)
            {
                prior.Costs(y * w + 3 + x, out float o, out float b);
                Assert.True(Math.Abs(objectCost[x] - o) <= 1e-5f * Math.Max(1, o), $"object cost at ({x + 3}, {y}): {objectCost[x]} against {o}");
                Assert.True(Math.Abs(backgroundCost[x] - b) <= 1e-5f * Math.Max(1, b), $"background cost at ({x + 3}, {y}): {backgroundCost[x]} against {b}");
            }
        }
    }
}
