using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

/// <summary>GrabCut with an object prior (the model's probability as a data term).</summary>
public class ObjectPriorTests
{
    /// <summary>A model-like probability of the scene's object: right in shape, shifted and blurred, as from a coarse model.</summary>
    internal static float[] CoarseProbability(Mask truth, int shift, double blur)
    {
        int w = truth.Width, h = truth.Height;
        var p = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sx = Math.Clamp(x - shift, 0, w - 1);
                p[y * w + x] = truth[sx, y] ? 0.97f : 0.03f;
            }
        var blurred = PixelMaps.ResizeFloat(PixelMaps.ResizeFloat(p, w, h, (int)(w / blur), (int)(h / blur)), (int)(w / blur), (int)(h / blur), w, h);
        return blurred;
    }

    [Fact]
    public void WithAPriorTheReportedEnergyIsTheExplicitEnergy()
    {
        var scene = SyntheticScene.ObjectOnClutter(180, 140, 31, noise: 12);
        var prior = ObjectPrior.FromProbability(180, 140, CoarseProbability(scene.Truth, 4, 6), weight: 3);
        var region = Mask.FromRectangle(180, 140, scene.Box);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRegion(region) with { Prior = prior, InitialObject = scene.Truth },
            new GrabCutOptions { MaxIterations = 1, ConvergenceTolerance = 0 });
        for (int i = 0; i < 3; i++)
        {
            var result = session.Iterate();
            double explicitEnergy = session.ExplicitEnergy();
            Assert.Equal(explicitEnergy, result.EnergyPerIteration[^1], explicitEnergy * 1e-6);
        }
    }

    [Fact]
    public void WithThePapersDataTermAndAPriorTheEnergyNeverRises()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 32, noise: 20);
        var prior = ObjectPrior.FromProbability(200, 160, CoarseProbability(scene.Truth, 5, 8), weight: 2);
        var options = new GrabCutOptions { MaxIterations = 8, ConvergenceTolerance = 0, DataTerm = GrabCutDataTerm.BestComponent };
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior }, options);
        for (int i = 1; i < result.EnergyPerIteration.Count; i++)
            Assert.True(result.EnergyPerIteration[i] <= result.EnergyPerIteration[i - 1] * (1 + 1e-6), string.Join(", ", result.EnergyPerIteration));
    }

    [Fact]
    public void APriorOfWeightZeroIsPlainGrabCut()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 33);
        var prior = ObjectPrior.FromProbability(160, 120, CoarseProbability(scene.Truth, 20, 4), weight: 0);
        var plain = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box));
        var withPrior = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior });
        Assert.Equal(plain.Foreground.ToBytes(), withPrior.Foreground.ToBytes());
    }

    [Fact]
    public void AStrongPriorOverrulesColour()
    {
        // The prior says a block of background clutter is object and the object's right half is background.
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 34);
        var wanted = new Mask(200, 160);
        var bounds = scene.Truth.Bounds();
        int middle = bounds.X + bounds.Width / 2;
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 200; x++)
                wanted[x, y] = (scene.Truth[x, y] && x < middle) || (x < 25 && y < 25);
        var probability = new float[200 * 160];
        for (int i = 0; i < probability.Length; i++) probability[i] = wanted.Bits[i] != 0 ? 0.999f : 0.001f;
        var input = GrabCutInput.FromRegion(Mask.FromRectangle(200, 160, new PixelRect(0, 0, 200, 160))) with
        {
            Prior = ObjectPrior.FromProbability(200, 160, probability, weight: 20),
            InitialObject = wanted,
        };
        var result = GrabCut.Segment(scene.Image, input);
        Assert.True(SyntheticScene.IoU(result.Foreground, wanted) > 0.97, $"IoU {SyntheticScene.IoU(result.Foreground, wanted):F3}");
    }

    [Fact]
    public void TheMultilevelSolveCarriesThePrior()
    {
        // Above the multilevel threshold the proxy sees the prior downsampled; the answer follows the prior's object.
        var scene = SyntheticScene.ObjectOnClutter(360, 280, 35);
        var probability = CoarseProbability(scene.Truth, 0, 3);
        var input = GrabCutInput.FromRectangle(scene.Box) with { Prior = ObjectPrior.FromProbability(360, 280, probability, weight: 4) };
        var result = GrabCut.Segment(scene.Image, input, new GrabCutOptions { MultilevelThreshold = 4096 });
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.97);
    }

    [Fact]
    public void APriorOfTheWrongSizeIsRefused()
    {
        var scene = SyntheticScene.ObjectOnClutter(100, 80, 36);
        var prior = new ObjectPrior(50, 40, new float[2000]);
        Assert.Throws<ImageSizeMismatchException>(() => GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { Prior = prior }));
    }
}
