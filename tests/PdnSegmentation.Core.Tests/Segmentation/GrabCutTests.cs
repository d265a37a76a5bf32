using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Segmentation;

public class GrabCutTests
{
    [Theory]
    [InlineData(1, 200, 160)]
    [InlineData(2, 320, 240)]
    [InlineData(3, 150, 220)]
    public void RectangleOnClutterFindsTheObject(int seed, int w, int h)
    {
        var scene = SyntheticScene.ObjectOnClutter(w, h, seed);
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box));
        double iou = SyntheticScene.IoU(result.Foreground, scene.Truth);
        Assert.True(iou > 0.98, $"IoU {iou:F4}");
    }

    [Fact]
    public void OrchardBoumanInitialisationAlsoWorks()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 5);
        var options = new GrabCutOptions { Initialization = GmmInitialization.OrchardBouman };
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), options);
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.98);
    }

    [Fact]
    public void FreeFormRegionFindsTheObject()
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 200, 4);
        // A lasso: an ellipse around the object's bounding box, so the corners of the box are outside.
        var bounds = scene.Truth.Bounds();
        var region = new Mask(240, 200);
        double cx = bounds.X + bounds.Width / 2.0, cy = bounds.Y + bounds.Height / 2.0;
        double rx = bounds.Width * 0.75, ry = bounds.Height * 0.75;
        for (int y = 0; y < 200; y++)
            for (int x = 0; x < 240; x++)
                region[x, y] = Math.Pow((x - cx) / rx, 2) + Math.Pow((y - cy) / ry, 2) <= 1;
        Assert.Equal(0, MaskAnd(scene.Truth, region.Invert()));
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRegion(region));
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.98);
        Assert.Equal(0, MaskAnd(result.Foreground, region.Invert())); // nothing outside the region
    }

    [Fact]
    public void EnergyNeverIncreasesWithThePapersDataTerm()
    {
        // With the best-component data term every step (assign, re-estimate, cut) minimises the same energy.
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 7, noise: 20);
        var options = new GrabCutOptions { MaxIterations = 10, ConvergenceTolerance = 0, DataTerm = GrabCutDataTerm.BestComponent };
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), options);
        Assert.Equal(10, result.Iterations);
        for (int i = 1; i < result.EnergyPerIteration.Count; i++)
            Assert.True(result.EnergyPerIteration[i] <= result.EnergyPerIteration[i - 1] * (1 + 1e-6),
                $"energy rose at iteration {i}: {string.Join(", ", result.EnergyPerIteration)}");
    }

    [Fact]
    public void MixtureDensityEnergyFallsAndStopsWhenItSettles()
    {
        // Hard re-estimation is not an exact minimiser of the mixture-density energy, so near convergence it can
        // rise by a hair; the loop must stop there rather than wander.
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 7, noise: 20);
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MaxIterations = 30 });
        var e = result.EnergyPerIteration;
        Assert.True(result.Converged);
        Assert.True(e[^1] < e[0]);
        for (int i = 1; i < e.Count; i++) Assert.True(e[i] <= e[i - 1] * (1 + 1e-4), $"energy jumped at {i}: {string.Join(", ", e)}");
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) > 0.98);
    }

    [Fact]
    public void ConvergenceStopsBeforeTheCap()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 8);
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MaxIterations = 30 });
        Assert.True(result.Converged);
        Assert.InRange(result.Iterations, 2, 29);
        double last = result.EnergyPerIteration[^1], before = result.EnergyPerIteration[^2];
        Assert.True(before - last <= 1e-3 * Math.Abs(before)); // stopped because the energy settled
    }

    [Fact]
    public void HintsAreHardLabelsAndEditsReRunTheCut()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 9);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions());
        var first = session.Iterate();
        // Mark a background patch inside the object as definite background, and a clutter patch as object.
        var bg = new Mask(200, 160);
        var fg = new Mask(200, 160);
        var bounds = scene.Truth.Bounds();
        int cx = bounds.X + bounds.Width / 2, cy = bounds.Y + bounds.Height / 2;
        for (int y = cy - 4; y < cy + 4; y++) for (int x = cx - 4; x < cx + 4; x++) bg[x, y] = true;
        fg[scene.Box.X + 1, scene.Box.Y + 1] = true;
        fg[0, 0] = true; // outside the rectangle: the graph must grow to include it
        var edited = session.Edit(fg, bg);
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 200; x++)
            {
                if (bg[x, y]) Assert.False(edited.Foreground[x, y]);
                if (fg[x, y]) Assert.True(edited.Foreground[x, y]);
            }
        Assert.True(first.Foreground[cx, cy]);
        // Away from the edits the answer is unchanged.
        Assert.True(SyntheticScene.IoU(edited.Foreground, scene.Truth) > 0.97);
        var refit = session.Edit(null, null, refit: true);
        Assert.False(refit.Foreground[cx, cy]);
        Assert.True(refit.Foreground[0, 0]);
    }

    [Fact]
    public void RectangleOverTheWholeImageStillSegments()
    {
        // With no outside, the rectangle's frame seeds the background (OpenCV's grabCut refuses this input).
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 10);
        var result = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(new PixelRect(0, 0, 200, 160)));
        double iou = SyntheticScene.IoU(result.Foreground, scene.Truth);
        Assert.True(iou > 0.8, $"IoU {iou:F4}");
    }

    [Fact]
    public void EmptyRectangleIsRejected()
    {
        var scene = SyntheticScene.ObjectOnClutter(50, 40, 1);
        var e = Assert.Throws<SegmentationInputException>(() => GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(new PixelRect(5, 5, 0, 10))));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void RectangleOutsideTheImageIsRejected()
    {
        var scene = SyntheticScene.ObjectOnClutter(50, 40, 1);
        var e = Assert.Throws<SegmentationInputException>(() => GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(new PixelRect(60, 5, 10, 10))));
        Assert.Contains("outside the 50×40 image", e.Message);
    }

    [Fact]
    public void EmptySelectionIsRejected()
    {
        var scene = SyntheticScene.ObjectOnClutter(50, 40, 1);
        var e = Assert.Throws<SegmentationInputException>(() => GrabCut.Segment(scene.Image, GrabCutInput.FromRegion(new Mask(50, 40))));
        Assert.Contains("selection is empty", e.Message);
    }

    [Fact]
    public void HintMaskOfAnotherSizeIsRejected()
    {
        var scene = SyntheticScene.ObjectOnClutter(50, 40, 1);
        var input = GrabCutInput.FromRectangle(new PixelRect(5, 5, 30, 20)).WithHints(new Mask(40, 40), null);
        var e = Assert.Throws<ImageSizeMismatchException>(() => GrabCut.Segment(scene.Image, input));
        Assert.Contains("foreground hint mask is 40×40 but the image is 50×40", e.Message);
    }

    [Fact]
    public void BackgroundHintsOverTheWholeSelectionAreRejected()
    {
        var scene = SyntheticScene.ObjectOnClutter(50, 40, 1);
        var allBackground = new Mask(50, 40).Invert();
        var input = GrabCutInput.FromRectangle(new PixelRect(5, 5, 30, 20)).WithHints(null, allBackground);
        var e = Assert.Throws<SegmentationInputException>(() => GrabCut.Segment(scene.Image, input));
        Assert.Contains("Nothing is left that could be the object", e.Message);
    }

    [Fact]
    public void CancellationIsHonoured()
    {
        var scene = SyntheticScene.ObjectOnClutter(200, 160, 1);
        using var cts = new CancellationTokenSource();
        var progress = new CancelAt(0.5, cts);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { ConvergenceTolerance = 0 }, progress, cts.Token));
        Assert.True(progress.Max >= 0.5 && progress.Max < 1);
    }

    [Fact]
    public void SameInputGivesTheSameMaskRegardlessOfThreads()
    {
        var scene = SyntheticScene.ObjectOnClutter(180, 140, 11, noise: 15);
        var one = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MaxDegreeOfParallelism = 1 });
        var many = GrabCut.Segment(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MaxDegreeOfParallelism = 4 });
        Assert.Equal(one.Foreground.Bits.ToArray(), many.Foreground.Bits.ToArray());
        Assert.Equal(one.EnergyPerIteration, many.EnergyPerIteration);
    }

    private static long MaskAnd(Mask a, Mask b)
    {
        long n = 0;
        for (int i = 0; i < a.Bits.Length; i++) if (a.Bits[i] != 0 && b.Bits[i] != 0) n++;
        return n;
    }

    private sealed class CancelAt(double at, CancellationTokenSource cts) : IProgress<double>
    {
        public double Max { get; private set; }
        public void Report(double value)
        {
            Max = Math.Max(Max, value);
            if (value >= at) cts.Cancel();
        }
    }
}

public class GrabCutEnergyTests
{
    [Fact]
    public void ReportedEnergyEqualsTheEnergyOfTheLabels()
    {
        // The flow value of every (reused) graph plus the constant part must be the labelling's energy.
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 12, noise: 12);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), new GrabCutOptions { MaxIterations = 1, ConvergenceTolerance = 0 });
        for (int i = 0; i < 4; i++)
        {
            var result = session.Iterate();
            double explicitEnergy = session.ExplicitEnergy();
            Assert.Equal(explicitEnergy, result.EnergyPerIteration[^1], explicitEnergy * 1e-6);
        }
    }
}

public class GrabCutMultilevelTests
{
    private static readonly GrabCutOptions Forced = new() { MultilevelThreshold = 4096 };

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void BandedCoarseToFineMatchesTheFullResolutionAnswer(int seed)
    {
        var scene = SyntheticScene.ObjectOnClutter(360, 280, seed);
        var input = GrabCutInput.FromRectangle(scene.Box);
        var full = GrabCut.Segment(scene.Image, input, new GrabCutOptions { MultilevelThreshold = 0 });
        var banded = GrabCut.Segment(scene.Image, input, Forced);
        double iou = SyntheticScene.IoU(banded.Foreground, scene.Truth);
        Assert.True(iou > 0.98, $"IoU {iou:F4}");
        Assert.True(SyntheticScene.IoU(banded.Foreground, full.Foreground) > 0.99);
    }

    [Fact]
    public void ReportedEnergyCountsFrozenPixels()
    {
        var scene = SyntheticScene.ObjectOnClutter(300, 220, 23, noise: 12);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), Forced with { ConvergenceTolerance = 0 });
        var result = session.Iterate();
        double explicitEnergy = session.ExplicitEnergy();
        Assert.Equal(explicitEnergy, result.EnergyPerIteration[^1], explicitEnergy * 1e-6);
        for (int i = 1; i < result.EnergyPerIteration.Count; i++)
            Assert.True(result.EnergyPerIteration[i] <= result.EnergyPerIteration[i - 1] * (1 + 1e-6));
    }

    [Fact]
    public void EditsOnALargeSessionAreHonoured()
    {
        var scene = SyntheticScene.ObjectOnClutter(300, 220, 24);
        var session = new GrabCut(scene.Image, GrabCutInput.FromRectangle(scene.Box), Forced);
        session.Iterate();
        var bounds = scene.Truth.Bounds();
        int cx = bounds.X + bounds.Width / 2, cy = bounds.Y + bounds.Height / 2;
        var bg = new Mask(300, 220);
        for (int y = cy - 5; y < cy + 5; y++) for (int x = cx - 5; x < cx + 5; x++) bg[x, y] = true;
        var edited = session.Edit(null, bg);
        for (int y = cy - 5; y < cy + 5; y++) for (int x = cx - 5; x < cx + 5; x++) Assert.False(edited.Foreground[x, y]);
        Assert.True(SyntheticScene.IoU(edited.Foreground, scene.Truth) > 0.97);
        Assert.Equal(session.ExplicitEnergy(), edited.EnergyPerIteration[^1], session.ExplicitEnergy() * 1e-6);
    }
}
