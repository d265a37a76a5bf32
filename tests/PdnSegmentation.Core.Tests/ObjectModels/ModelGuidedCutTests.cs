using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.ObjectModels;

/// <summary>Smart Cut's engine: GrabCut with what a model knows about the selection, and when it is not trusted.</summary>
public class ModelGuidedCutTests
{
    private static (SyntheticScene Scene, ColorImage Image) DecoyScene(int seed)
    {
        var (scene, image, _) = DecoyAndScene(seed);
        return (scene, image);
    }

    private static (SyntheticScene Scene, ColorImage Image, Mask Decoy) DecoyAndScene(int seed)
    {
        var (scene, decoy) = SceneDecoys.WithDecoy(SyntheticScene.ObjectOnClutter(240, 180, seed));
        return (scene, HiddenTruthModel.Hide(scene.Image, scene.Truth), decoy);
    }

    private static double Covered(Mask cut, Mask part)
    {
        long n = 0, inside = 0;
        for (int i = 0; i < part.Bits.Length; i++) if (part.Bits[i] != 0) { n++; inside += cut.Bits[i]; }
        return (double)inside / n;
    }

    [Fact]
    public void AModelThatKnowsTheObjectKeepsTheDecoyOutThatColourAloneTakes()
    {
        var (scene, image, decoy) = DecoyAndScene(61);
        var plain = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), null);
        var guided = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel());
        double plainIoU = SyntheticScene.IoU(plain.Foreground, scene.Truth), guidedIoU = SyntheticScene.IoU(guided.Foreground, scene.Truth);
        Assert.Null(plain.Trust);
        Assert.Equal(1, guided.Trust!.Value);
        Assert.True(Covered(plain.Foreground, decoy) > 0.9, $"colour alone should take the decoy: {Covered(plain.Foreground, decoy):P0} of it");
        Assert.True(Covered(guided.Foreground, decoy) < 0.02, $"the guided cut took {Covered(guided.Foreground, decoy):P0} of the decoy");
        Assert.True(guidedIoU >= 0.97 && guidedIoU > plainIoU + 0.05, $"guided IoU {guidedIoU:F3} (plain {plainIoU:F3})");
    }

    [Fact]
    public void ATrustedModelsCutStopsAtItsOwnIterationCapAndAnUntrustedOneKeepsGrabCuts()
    {
        var (scene, image) = DecoyScene(63);
        var options = new ModelGuidedCutOptions { GrabCut = new GrabCutOptions { MaxIterations = 5, ConvergenceTolerance = 0 } };
        var guided = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel(), options);
        Assert.Equal(1, guided.Trust!.Value);
        Assert.Equal(options.MaxIterationsWithModel, guided.Cut.Iterations);
        // The cap is the lower of the two: a user asking for one iteration gets one.
        var once = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel(),
            options with { GrabCut = options.GrabCut with { MaxIterations = 1 } });
        Assert.Equal(1, once.Cut.Iterations);
        var plain = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), null, options);
        Assert.Equal(5, plain.Cut.Iterations);
    }

    [Fact]
    public void WithoutAModelTheCutIsGrabCutPixelForPixel()
    {
        var (scene, image) = DecoyScene(62);
        var options = new ModelGuidedCutOptions();
        var expected = GrabCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), options.GrabCut).Foreground;
        Assert.Equal(expected.ToBytes(), ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), null, options).Foreground.ToBytes());
    }

    [Theory]
    [InlineData("nothing")]
    [InlineData("sliver")]
    [InlineData("bigger")]
    public void AModelThatMissesTheSelectedObjectIsNotUsedAndTheCutIsGrabCuts(string miss)
    {
        var (scene, image) = DecoyScene(63);
        var known = new Mask(240, 180);
        var box = scene.Box;
        if (miss == "sliver")
            for (int y = box.Y + box.Height / 3; y < box.Y + box.Height / 3 + 6; y++)
                for (int x = box.X + box.Width / 3; x < box.X + box.Width / 3 + 12; x++) known[x, y] = true;
        if (miss == "bigger")
            for (int y = 0; y < 180; y++) for (int x = 0; x < 240; x++) known[x, y] = true; // everything: more than was selected
        var hidden = HiddenTruthModel.Hide(image, known);
        var result = ModelGuidedCut.Segment(hidden, GrabCutInput.FromRectangle(box), new HiddenTruthModel());
        var grabCut = GrabCut.Segment(hidden, GrabCutInput.FromRectangle(box)).Foreground;
        Assert.Equal(0, result.Trust!.Value);
        Assert.StartsWith("not used", result.Trust.Describe());
        Assert.Contains(miss switch { "nothing" => "fills only 0 %", "sliver" => "way across", _ => "outside the selection" }, result.Trust.Describe());
        Assert.Equal(grabCut.ToBytes(), result.Foreground.ToBytes());
    }

    [Fact]
    public void AWholePhotoSelectionIsNoPromptAndTheModelsSubjectIsTheObject()
    {
        // A rectangle the size of the photo (Paint.NET's "no selection") says nothing of where the object is, and GrabCut
        // has nothing outside it to learn the background from. The object is far smaller than a drawn box's (one pixel
        // less and the cues for a drawn selection turn the model down, below), yet the model is trusted, as Select
        // Subject trusts it.
        var (scene, image, decoy) = DecoyAndScene(66);
        var whole = new PixelRect(0, 0, 240, 180);
        var plain = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(whole), null);
        var guided = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(whole), new HiddenTruthModel());
        Assert.True(guided.Trust!.WholePhoto);
        Assert.Equal(1, guided.Trust.Value);
        double plainIoU = SyntheticScene.IoU(plain.Foreground, scene.Truth), guidedIoU = SyntheticScene.IoU(guided.Foreground, scene.Truth);
        Assert.True(guidedIoU >= 0.97 && guidedIoU > plainIoU + 0.2, $"guided IoU {guidedIoU:F3} (GrabCut alone {plainIoU:F3})");
        Assert.True(Covered(guided.Foreground, decoy) < 0.02);
        // A free-form selection of every pixel is the same request.
        var all = Mask.FromRectangle(240, 180, whole);
        Assert.Equal(guided.Foreground.ToBytes(), ModelGuidedCut.Segment(image, GrabCutInput.FromRegion(all), new HiddenTruthModel()).Foreground.ToBytes());
        // A selection one pixel short of the photo is a drawn one again, judged by its cues.
        var drawn = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(new PixelRect(0, 0, 240, 179)), new HiddenTruthModel());
        Assert.False(drawn.Trust!.WholePhoto);
        Assert.Equal(0, drawn.Trust.Value);
    }

    [Theory]
    [InlineData("nothing", "fills only 0 %")]
    [InlineData("speck", "fills only 0 %")]
    [InlineData("everything", "fills 100 %")]
    public void AWholePhotoSelectionWhoseSubjectIsNothingOrEverythingIsRefused(string answer, string reason)
    {
        // With the whole photo selected there is no prompt; a model that finds no subject (or only a speck, or the whole
        // frame) leaves nothing to cut out but GrabCut's guess from the photo's frame, so the user is asked to select the object.
        var (scene, image) = DecoyScene(67);
        var known = new Mask(240, 180);
        if (answer == "speck") for (int y = 90; y < 94; y++) for (int x = 100; x < 104; x++) known[x, y] = true; // 0.04 % of the photo
        if (answer == "everything") known.Bits.Fill(1);
        var hidden = HiddenTruthModel.Hide(image, known);
        var whole = GrabCutInput.FromRectangle(new PixelRect(0, 0, 240, 180));
        var prompt = PromptedPrior.Compute(hidden, whole, new HiddenTruthModel());
        Assert.True(prompt.Trust.FoundNoSubject);
        Assert.Equal(0, prompt.Trust.Value);
        Assert.Contains(reason, prompt.Trust.Describe());
        var error = Assert.Throws<SegmentationInputException>(() => ModelGuidedCut.SegmentWithPrior(hidden, whole, prompt));
        Assert.Contains("the object model finds no subject in it", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Contains("Select the object", error.Message);
        Assert.Throws<SegmentationInputException>(() => ModelGuidedCut.Segment(hidden, GrabCutInput.FromRegion(Mask.FromRectangle(240, 180, new PixelRect(0, 0, 240, 180))), new HiddenTruthModel()));
        // A drawn selection with the same answer is not refused: the model is set aside and GrabCut cuts, as without a model.
        var drawn = GrabCutInput.FromRectangle(scene.Box);
        var cut = ModelGuidedCut.Segment(hidden, drawn, new HiddenTruthModel());
        Assert.False(cut.Trust!.FoundNoSubject);
        Assert.Equal(0, cut.Trust.Value);
        Assert.Equal(GrabCut.Segment(hidden, drawn).Foreground.ToBytes(), cut.Foreground.ToBytes());
    }

    [Fact]
    public void TheCuesAreMeasuredOnTheSelection()
    {
        var (scene, image) = DecoyScene(64);
        var prompt = PromptedPrior.Compute(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel());
        long truthArea = scene.Truth.CountSet();
        var bounds = scene.Truth.Bounds();
        Assert.Equal((double)truthArea / scene.Box.Area, prompt.Trust.ObjectFraction, 3);
        Assert.Equal(Math.Min((double)bounds.Width / scene.Box.Width, (double)bounds.Height / scene.Box.Height), prompt.Trust.Span, 3);
        Assert.Equal(0, prompt.Trust.OutsideCover);
        Assert.Equal("trusted", prompt.Trust.Describe());
        // The model's answer is kept inside the selection only, in the widest crop's window.
        Assert.Equal(ModelCrops.Grow(scene.Box, 0.3, 240, 180), prompt.Window);
        var mask = prompt.ObjectMask();
        Assert.Equal(scene.Truth.ToBytes(), mask.ToBytes());
    }

    [Fact]
    public void AFreeFormSelectionKeepsItsOutsideAsBackgroundAndTheModelInsideIt()
    {
        var (scene, image) = DecoyScene(65);
        // A lasso: the object's bounds grown by 6 px, with the decoy's corner cut off.
        var region = new Mask(240, 180);
        var lasso = scene.Truth.Bounds().Inflate(6).Intersect(new PixelRect(0, 0, 240, 180));
        for (int y = lasso.Y; y < lasso.Bottom; y++)
            for (int x = lasso.X; x < lasso.Right; x++)
                region[x, y] = (x - lasso.X) + (lasso.Bottom - 1 - y) >= lasso.Width / 4 || scene.Truth[x, y];
        var result = ModelGuidedCut.Segment(image, GrabCutInput.FromRegion(region), new HiddenTruthModel());
        var bits = result.Foreground.Bits;
        var inside = region.Bits;
        for (int i = 0; i < bits.Length; i++) Assert.False(bits[i] != 0 && inside[i] == 0, "the cut left the selection");
        Assert.True(SyntheticScene.IoU(result.Foreground, scene.Truth) >= 0.97);
    }

    [Fact]
    public void HintsStayHardConstraintsUnderATrustedModel()
    {
        var (scene, image) = DecoyScene(66);
        var box = scene.Box;
        // The user insists a patch of background is object: the model's "no" must not override it.
        var fg = new Mask(240, 180);
        for (int y = box.Y + 2; y < box.Y + 8; y++) for (int x = box.X + 2; x < box.X + 8; x++) fg[x, y] = true;
        var result = ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(box).WithHints(fg, null), new HiddenTruthModel());
        for (int y = box.Y + 2; y < box.Y + 8; y++) for (int x = box.X + 2; x < box.X + 8; x++) Assert.True(result.Foreground[x, y]);
    }

    [Fact]
    public void BadSelectionsAreRefusedBeforeTheModelRuns()
    {
        var (_, image) = DecoyScene(67);
        var model = new HiddenTruthModel();
        var empty = Assert.Throws<SegmentationInputException>(() => ModelGuidedCut.Segment(image, GrabCutInput.FromRegion(new Mask(240, 180)), model));
        Assert.Contains("selection is empty", empty.Message);
        var outside = Assert.Throws<SegmentationInputException>(() => ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(new PixelRect(300, 10, 20, 20)), model));
        Assert.Contains("outside", outside.Message);
        Assert.Throws<ImageSizeMismatchException>(() => ModelGuidedCut.Segment(image, GrabCutInput.FromRegion(new Mask(10, 10)), model));
        Assert.Empty(model.Shown);
    }

    [Fact]
    public void CancellationStopsTheModelRunsAndProgressEndsAtOne()
    {
        var (scene, image) = DecoyScene(68);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel(), null, null, cancelled.Token));
        var progress = new ProgressRecorder();
        ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel(), null, progress);
        Assert.True(progress.IsMonotoneToOne, string.Join(", ", progress.Values));
    }
}
