using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

/// <summary>Warm re-solves: a new prior, pins and restarted labels on a session whose graph and flow are kept.</summary>
public class GrabCutWarmResolveTests
{
    [Fact]
    public void AfterANewPriorAndNewPinsTheCutIsTheMinimumOverAllLabellings()
    {
        // 7×5 photo, 5×3 changeable pixels: 2^15 labellings, every one scored by the explicit energy.
        var random = new Random(5);
        var image = Generated(7, 5, x =>
        {
            bool reddish = x + random.Next(3) > 4;
            return ((byte)(reddish ? 40 + random.Next(40) : 150 + random.Next(60)), (byte)(80 + random.Next(60)),
                (byte)(reddish ? 190 + random.Next(50) : 60 + random.Next(50)));
        });
        var box = new PixelRect(1, 1, 5, 3);
        var options = new GrabCutOptions { ComponentsPerModel = 2, MaxIterations = 1, ConvergenceTolerance = 0, Gamma = 3, MultilevelThreshold = 0 };
        var session = new GrabCut(image, GrabCutInput.FromRectangle(box) with { Prior = Prior(random) }, options);
        session.Iterate(1);
        for (int round = 0; round < 4; round++)
        {
            // The pins move every round (a pinned pixel set free, a free one pinned), the prior changes, and once the
            // labels restart: each warm cut must still be the minimum.
            session.SetPrior(Prior(random));
            if (round == 2) session.StartFrom(Mask.FromRectangle(7, 5, new PixelRect(3, 1, 3, 3)));
            var objectPins = new Mask(7, 5);
            var backgroundPins = new Mask(7, 5);
            (int X, int Y) pinnedObject = (1 + round, 2), pinnedBackground = (5 - round % 3, 1 + round % 3);
            objectPins[pinnedObject.X, pinnedObject.Y] = true;
            backgroundPins[pinnedBackground.X, pinnedBackground.Y] = true;
            session.Pin(objectPins, backgroundPins);
            var result = session.Iterate(1);
            var cut = result.Foreground;
            Assert.True(cut[pinnedObject.X, pinnedObject.Y]);
            Assert.False(cut[pinnedBackground.X, pinnedBackground.Y]);

            double best = double.PositiveInfinity;
            var candidate = new Mask(7, 5);
            for (int labelling = 0; labelling < 1 << 15; labelling++)
            {
                for (int k = 0; k < 15; k++) candidate[1 + k % 5, 1 + k / 5] = (labelling >> k & 1) != 0;
                if (!candidate[pinnedObject.X, pinnedObject.Y] || candidate[pinnedBackground.X, pinnedBackground.Y]) continue;
                best = Math.Min(best, session.ExplicitEnergy(candidate));
            }
            double reached = session.ExplicitEnergy();
            Assert.Equal(best, reached, Math.Abs(best) * 1e-9);
            // The reported energy is the flow's value: float capacities (these tiny colour models give terminal
            // capacities in the thousands) keep it within about 10⁻⁴ of the labels' energy across warm re-solves.
            Assert.Equal(reached, result.EnergyPerIteration[^1], Math.Abs(reached) * 5e-4);
        }
    }

    [Fact]
    public void StartingOverOnAWarmSessionCutsAsANewSessionDoes()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 150, 12, noise: 14);
        var region = Mask.FromRectangle(200, 150, scene.Box);
        var options = new GrabCutOptions { MultilevelThreshold = 0 };
        var firstPrior = ObjectPrior.FromProbability(200, 150, ObjectPriorTests.CoarseProbability(scene.Truth, 9, 8), weight: 2);
        var secondPrior = ObjectPrior.FromProbability(200, 150, ObjectPriorTests.CoarseProbability(scene.Truth, -3, 4), weight: 2);
        var initial = Mask.FromProbability(200, 150, ObjectPriorTests.CoarseProbability(scene.Truth, 5, 6));
        var objectPins = Mask.FromRectangle(200, 150, new PixelRect(scene.Truth.Bounds().X + 20, scene.Truth.Bounds().Y + 20, 5, 5));
        var backgroundPins = Mask.FromRectangle(200, 150, new PixelRect(scene.Box.X + 2, scene.Box.Y + 2, 5, 5));

        var warm = new GrabCut(scene.Image, GrabCutInput.FromRegion(region) with { Prior = firstPrior }, options);
        warm.Iterate(3);
        warm.SetPrior(secondPrior);
        warm.StartFrom(initial);
        warm.Pin(objectPins, backgroundPins);
        var warmCut = warm.Iterate(3).Foreground;

        var fresh = new GrabCut(scene.Image, GrabCutInput.FromRegion(region) with { Prior = secondPrior, InitialObject = initial }, options);
        fresh.Pin(objectPins, backgroundPins);
        var freshCut = fresh.Iterate(3).Foreground;
        Assert.True(Differing(warmCut, freshCut) <= 2, $"{Differing(warmCut, freshCut)} pixels differ"); // float ties only
        Assert.True(SyntheticScene.IoU(warmCut, scene.Truth) > 0.95);
    }

    [Fact]
    public void APinHoldsAgainstEvidenceThatOverwhelmsIt()
    {
        // Grey noise: the colour models cannot tell the sides apart, the prior decides.
        var random = new Random(3);
        var image = Generated(120, 90, _ =>
        {
            byte v = (byte)(100 + random.Next(40));
            return (v, v, v);
        });
        var box = new PixelRect(10, 10, 100, 70);
        var logOdds = new float[120 * 90];
        Array.Fill(logOdds, ObjectPrior.MaxLogOdds);
        var session = new GrabCut(image, GrabCutInput.FromRectangle(box) with { Prior = new ObjectPrior(120, 90, logOdds, weight: 10) }, new GrabCutOptions { MultilevelThreshold = 0 });
        Assert.Equal(100 * 70, session.Iterate(2).Foreground.CountSet());
        // Now everything says background, at the prior's clamp; the pinned block must still be object, and only it.
        Array.Fill(logOdds, -ObjectPrior.MaxLogOdds);
        session.SetPrior(new ObjectPrior(120, 90, logOdds, weight: 10));
        var pins = Mask.FromRectangle(120, 90, new PixelRect(50, 40, 6, 6));
        session.Pin(pins, null);
        var cut = session.Iterate(1).Foreground;
        Assert.Equal(0, Differing(cut, pins));
    }

    /// <summary>An opaque photo whose B, G, R at column x the generator gives (row by row, left to right).</summary>
    private static ColorImage Generated(int width, int height, Func<int, (byte B, byte G, byte R)> colour)
    {
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (b, g, r) = colour(x);
                var row = image.Row(y);
                row[4 * x] = b; row[4 * x + 1] = g; row[4 * x + 2] = r; row[4 * x + 3] = 255;
            }
        return image;
    }

    private static int Differing(Mask a, Mask b)
    {
        int n = 0;
        for (int i = 0; i < a.Bits.Length; i++) if (a.Bits[i] != b.Bits[i]) n++;
        return n;
    }

    [Fact]
    public void ChangingTheEvidenceOfAMultilevelSessionBeforeItsFirstIterationIsRefused()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 150, 4);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MultilevelThreshold = 4096 });
        Assert.Throws<InvalidOperationException>(() => session.Pin(new Mask(200, 150), null));
        Assert.Throws<ImageSizeMismatchException>(() => new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions()).SetPrior(new ObjectPrior(10, 10, new float[100])));
    }

    private static ObjectPrior Prior(Random random)
    {
        var logOdds = new float[35];
        for (int i = 0; i < logOdds.Length; i++) logOdds[i] = (float)(random.NextDouble() * 4 - 2);
        return new ObjectPrior(7, 5, logOdds, weight: 1.5f);
    }
}

public class GrabCutStartingGuessTests
{
    [Fact]
    public void AnInitialObjectWithNothingInTheSelectionStartsFromTheWholeSelection()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 91);
        var plain = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box));
        var empty = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box) with { InitialObject = new Mask(160, 120) });
        Assert.Equal(plain.Foreground.ToBytes(), empty.Foreground.ToBytes());
    }

    [Fact]
    public void StartingOverFromAGuessWithOneSideEmptyStillLearnsBothColourModels()
    {
        // A click engine's guess can cover the whole region (a model calling everything object): the session must not
        // be left without background samples, nor without object ones.
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 92);
        var whole = Mask.FromRectangle(160, 120, new PixelRect(0, 0, 160, 120));
        var session = new GrabCut(scene.Image, GrabCutInput.FromRegion(whole), new GrabCutOptions { MaxIterations = 2 });
        session.Iterate();
        session.StartFrom(whole);
        var all = session.Iterate(2).Foreground;
        session.StartFrom(new Mask(160, 120));
        var none = session.Iterate(2).Foreground;
        Assert.False(all.IsEmpty);
        Assert.False(none.IsEmpty);
    }
}
