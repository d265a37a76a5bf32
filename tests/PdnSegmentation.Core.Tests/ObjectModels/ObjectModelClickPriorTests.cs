using PdnSegmentation.Clicks;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.ObjectModels;

/// <summary>The object model as the click engine's prior: the box as Smart Cut sees it, the first click's whole photo, then zoomed-in views.</summary>
public class ObjectModelClickPriorTests
{
    private static (SyntheticScene Scene, ColorImage Image, Mask Decoy) DecoyScene(int seed)
    {
        var (scene, decoy) = SceneDecoys.WithDecoy(SyntheticScene.ObjectOnClutter(240, 180, seed));
        return (scene, HiddenTruthModel.Hide(scene.Image, scene.Truth), decoy);
    }

    [Fact]
    public void ABoxAloneGetsWhatTheModelKnowsAboutItWhereBeforeItWasTheClassicEngines()
    {
        var (scene, image, decoy) = DecoyScene(81);
        var classic = new ClickSession(image, null, scene.Box).AddRange([]);
        var model = new HiddenTruthModel();
        var guided = new ClickSession(image, null, scene.Box, new ObjectModelClickPrior(model, image)).AddRange([]);
        // A box alone is Smart Cut's rectangle, pixel for pixel.
        Assert.Equal(ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(scene.Box), new HiddenTruthModel()).Foreground.ToBytes(), guided.ToBytes());
        double Decoy(Mask m) { int n = 0, k = 0; for (int i = 0; i < decoy.Bits.Length; i++) if (decoy.Bits[i] != 0) { n++; k += m.Bits[i]; } return (double)k / n; }
        Assert.True(Decoy(classic) > 0.9, $"the classic engine keeps {Decoy(classic):P0} of the decoy");
        Assert.True(SyntheticScene.IoU(guided, scene.Truth) >= 0.95, $"IoU {SyntheticScene.IoU(guided, scene.Truth):F3}, classic {SyntheticScene.IoU(classic, scene.Truth):F3}");
        Assert.True(Decoy(guided) < 0.05);
        // The box's view is Smart Cut's: one crop per margin around the box.
        Assert.Equal(new PromptedPriorOptions().Margins.Count, model.Shown.Count);
    }

    [Fact]
    public void ABoxTheModelSeesNothingInIsCutByColourAlone()
    {
        var (scene, image, _) = DecoyScene(82);
        var blind = HiddenTruthModel.Hide(image, new Mask(240, 180));
        var prior = new ObjectModelClickPrior(new HiddenTruthModel(), blind);
        Assert.Null(prior.Probability([], scene.Box, null, default));
        // Cut as Smart Cut cuts a selection its model is not trusted for: GrabCut alone.
        var grabCut = PdnSegmentation.Segmentation.GrabCut.Segment(blind, GrabCutInput.FromRectangle(scene.Box)).Foreground;
        var withPrior = new ClickSession(blind, null, scene.Box, new ObjectModelClickPrior(new HiddenTruthModel(), blind)).AddRange([]);
        Assert.Equal(grabCut.ToBytes(), withPrior.ToBytes());
    }

    [Fact]
    public void TheFirstClickSeesTheWholePhotoThenTheViewZoomsOntoTheSelectionAndIsReusedWhileItFits()
    {
        var (scene, image, _) = DecoyScene(83);
        var model = new HiddenTruthModel();
        var prior = new ObjectModelClickPrior(model, image);
        var bounds = scene.Truth.Bounds();
        var inside = new Click(bounds.X + bounds.Width / 2, bounds.Y + bounds.Height / 2, true);
        Assert.True(scene.Truth[inside.X, inside.Y]);

        var first = prior.Probability([inside], null, null, default);
        Assert.NotNull(first);
        Assert.Equal([(240, 180)], model.Shown);

        // With a selection: the zoomed view — the selection's bounds grown by a fifth on each side — and NaN outside it.
        var zoomed = prior.Probability([inside, inside with { X = inside.X + 1 }], null, scene.Truth, default)!;
        var window = ModelCrops.Grow(bounds, 0.2, 240, 180);
        Assert.Equal((window.Width, window.Height), model.Shown[^1]);
        Assert.True(float.IsNaN(zoomed[0]) || window.Contains(0, 0));
        Assert.Equal(0.97f, zoomed[inside.Y * 240 + inside.X]);

        // A selection that still fits the view reuses it; one that leaves it zooms again.
        var smaller = scene.Truth.Clone();
        for (int x = bounds.X; x < bounds.X + 3; x++) for (int y = 0; y < 180; y++) smaller[x, y] = false;
        prior.Probability([inside], null, smaller, default);
        Assert.Equal(2, prior.Views);
        var wider = scene.Truth.Clone();
        wider[Math.Max(0, window.X - 5), inside.Y] = true;
        prior.Probability([inside], null, wider, default);
        Assert.Equal(3, prior.Views);
    }

    [Fact]
    public void AModelThatDoesNotSeeTheClickedObjectSaysNothing()
    {
        var (scene, image, _) = DecoyScene(84);
        var prior = new ObjectModelClickPrior(new HiddenTruthModel(), image);
        var offObject = new Click(2, 2, true);
        Assert.False(scene.Truth[2, 2]);
        Assert.Null(prior.Probability([offObject], null, null, default));
    }

    [Fact]
    public void ClickingWithTheModelReachesTheObjectInFewerClicksThanWithout()
    {
        var (scene, image, _) = DecoyScene(85);
        int ClicksTo(IClickPrior? prior)
        {
            var session = new ClickSession(image, null, null, prior);
            var protocol = new ClickProtocol(240, 180, scene.Truth.ToBytes());
            var prediction = new Mask(240, 180);
            for (int k = 1; k <= 10; k++)
            {
                prediction = session.Add(protocol.Next(prediction)!.Value);
                if (protocol.IoU(prediction) >= 0.95) return k;
            }
            return 11;
        }
        int withModel = ClicksTo(new ObjectModelClickPrior(new HiddenTruthModel(), image)), without = ClicksTo(null);
        Assert.True(withModel == 1 && without > 1, $"clicks to 95 %: {withModel} with the model, {without} without");
    }
}
