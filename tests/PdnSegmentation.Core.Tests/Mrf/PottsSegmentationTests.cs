using PdnSegmentation.Graphs;
using PdnSegmentation.Imaging;
using PdnSegmentation.Mrf;

namespace PdnSegmentation.Tests.Mrf;

public class PottsSegmentationTests
{
    /// <summary>Three regions (left band, right band, a disc) of close colours under heavy Gaussian noise.</summary>
    private static (ColorImage Image, byte[] Truth) NoisyRegions(int size, double noise, int seed)
    {
        var random = new Random(seed);
        var image = new ColorImage(size, size);
        var truth = new byte[size * size];
        (int B, int G, int R)[] colors = [(90, 110, 140), (140, 100, 90), (110, 150, 110)];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double dx = x - size * 0.6, dy = y - size * 0.5;
                int label = dx * dx + dy * dy < size * size * 0.06 ? 2 : x < size / 2 ? 0 : 1;
                truth[y * size + x] = (byte)label;
                double Gauss() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * noise;
                var c = colors[label];
                image[x, y] = new Bgra32((byte)Math.Clamp(c.B + Gauss(), 0, 255), (byte)Math.Clamp(c.G + Gauss(), 0, 255), (byte)Math.Clamp(c.R + Gauss(), 0, 255), 255);
            }
        return (image, truth);
    }

    /// <summary>Label models fitted to a square patch well inside each true region (the "from scribbles" path).</summary>
    private static LabelModels ModelsFromTruthPatches(ColorImage image, byte[] truth, int size)
    {
        var strokes = new List<Mask>();
        (int X, int Y)[] centres = [(size / 6, size / 2), (size - 6, size / 8), ((int)(size * 0.6), size / 2)];
        foreach (var (cx, cy) in centres)
        {
            var m = new Mask(size, size);
            for (int y = cy - 4; y <= cy + 4; y++) for (int x = cx - 4; x <= cx + 4; x++) m[x, y] = true;
            strokes.Add(m);
        }
        return LabelModels.FromScribbles(image, strokes);
    }

    private static double Accuracy(byte[] labels, byte[] truth) => labels.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AlphaExpansionNeverRaisesTheEnergyAndBeatsIcm(bool eight)
    {
        var (image, truth) = NoisyRegions(90, 45, 1);
        var models = ModelsFromTruthPatches(image, truth, 90);
        var options = new PottsOptions { Coupling = 3, EightNeighbours = eight };
        var expansion = PottsSegmentation.AlphaExpansion(image, models, options);
        var icm = PottsSegmentation.Icm(image, models, options);
        for (int i = 1; i < expansion.EnergyPerCycle.Count; i++)
            Assert.True(expansion.EnergyPerCycle[i] <= expansion.EnergyPerCycle[i - 1], $"energy rose in cycle {i}");
        Assert.Equal(PottsSegmentation.Energy(image, models, expansion.Labels, options), expansion.Energy, 1e-6 * expansion.Energy);
        Assert.True(expansion.Energy < icm.Energy, $"α-expansion {expansion.Energy:F0} vs ICM {icm.Energy:F0}");
        var ml = PottsSegmentation.MaximumLikelihood(image, models);
        Assert.True(Accuracy(expansion.Labels, truth) > 0.97, $"accuracy {Accuracy(expansion.Labels, truth):P1} (maximum likelihood {Accuracy(ml, truth):P1})");
        Assert.True(Accuracy(expansion.Labels, truth) > Accuracy(ml, truth) + 0.1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachExpansionMoveIsTheBestOfAllKeepOrSwitchMoves(bool eight)
    {
        var random = new Random(eight ? 2 : 3);
        int w = 4, h = 3, n = w * h;
        for (int trial = 0; trial < 20; trial++)
        {
            var image = new ColorImage(w, h);
            random.NextBytes(image.Data);
            var models = new LabelModels([
                new(1, 60, 60, 60, new(900, 0, 0, 900, 0, 900)),
                new(1, 160, 100, 80, new(1600, 200, 0, 1600, 0, 1600)),
                new(1, 120, 200, 160, new(700, 0, 100, 900, 0, 1200)),
            ]);
            var options = new PottsOptions { Coupling = 1 + random.NextDouble() * 20, EightNeighbours = eight };
            var labels = new byte[n];
            for (int i = 0; i < n; i++) labels[i] = (byte)random.Next(3);
            byte alpha = (byte)random.Next(3);
            var buffers = new PottsSegmentation.MoveBuffers(n);
            PottsSegmentation.ExpansionMove(image, models, labels, alpha, options, new GridMaxFlow(w, h), buffers, default);
            double found = PottsSegmentation.Energy(image, models, buffers.Result, options);
            double best = double.PositiveInfinity;
            var move = new byte[n];
            for (int code = 0; code < 1 << n; code++)
            {
                for (int i = 0; i < n; i++) move[i] = (code >> i & 1) != 0 ? alpha : labels[i];
                best = Math.Min(best, PottsSegmentation.Energy(image, models, move, options));
            }
            Assert.Equal(best, found, 1e-3);
        }
    }

    [Fact]
    public void LabelsFoundInTheImageSeparateDistinctColours()
    {
        var (image, truth) = NoisyRegions(60, 5, 4);
        var result = PottsSegmentation.AlphaExpansion(image, LabelModels.FromImage(image, 3));
        // Labels from k-means come in any order: map each to the true label it covers most.
        int correct = 0;
        for (int l = 0; l < 3; l++)
        {
            var counts = new int[3];
            for (int i = 0; i < truth.Length; i++) if (result.Labels[i] == l) counts[truth[i]]++;
            correct += counts.Max();
        }
        Assert.True(correct > 0.98 * truth.Length, $"{correct} of {truth.Length}");
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var (image, _) = NoisyRegions(20, 5, 5);
        Assert.Contains("between 2 and 255", Assert.Throws<SegmentationInputException>(() => LabelModels.FromImage(image, 1)).Message);
        var painted = new Mask(20, 20);
        painted[3, 3] = true;
        Assert.Contains("Label 1 has no pixels", Assert.Throws<SegmentationInputException>(() => LabelModels.FromScribbles(image, [painted, new Mask(20, 20)])).Message);
        Assert.Throws<ImageSizeMismatchException>(() => LabelModels.FromScribbles(image, [painted, new Mask(10, 20)]));
        Assert.Contains("β", Assert.Throws<SegmentationInputException>(() =>
            PottsSegmentation.AlphaExpansion(image, LabelModels.FromImage(image, 2), new PottsOptions { Coupling = -1 })).Message);
    }
}
