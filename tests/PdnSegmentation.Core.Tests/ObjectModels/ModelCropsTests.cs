using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.ObjectModels;

public class ModelCropsTests
{
    /// <summary>A model that answers a constant per call, from a list: shows how crops are averaged.</summary>
    private sealed class ConstantModel(params float[] answers) : IObjectModel
    {
        private int _calls;
        public string Name => "constant";
        public List<(int Width, int Height)> Shown { get; } = new();
        public float[] Probability(ColorImage image, CancellationToken cancellationToken)
        {
            Shown.Add((image.Width, image.Height));
            var p = new float[image.Width * image.Height];
            Array.Fill(p, answers[_calls++ % answers.Length]);
            return p;
        }
    }

    [Fact]
    public void EachMarginIsOneCropAndTheirAnswersAreAveragedWhereTheyOverlap()
    {
        var image = new ColorImage(200, 100);
        var region = new PixelRect(80, 40, 40, 20);
        var model = new ConstantModel(0.2f, 0.6f);
        var (window, p) = ModelCrops.Run(image, region, [0.1, 0.5], model);
        Assert.Equal(new PixelRect(60, 30, 80, 40), window); // 0.5 × 40 = 20 and 0.5 × 20 = 10 on each side
        Assert.Equal([(48, 24), (80, 40)], model.Shown);     // 0.1 × 40 = 4, 0.1 × 20 = 2
        Assert.Equal(0.4f, p[(40 - 30) * 80 + (100 - 60)], 5); // inside both crops
        Assert.Equal(0.6f, p[0], 5);                            // the widest crop's ring alone
    }

    [Fact]
    public void CropsAreClippedToThePhotoAndLargeOnesReducedForTheModel()
    {
        var scene = SyntheticScene.ObjectOnClutter(300, 200, 71);
        var image = HiddenTruthModel.Hide(scene.Image, scene.Truth);
        var model = new HiddenTruthModel();
        var (window, p) = ModelCrops.Run(image, new PixelRect(0, 0, 300, 200), [0.2], model, maxModelPixels: 15_000);
        Assert.Equal(new PixelRect(0, 0, 300, 200), window);
        Assert.True(model.Shown[0].Width * model.Shown[0].Height <= 15_000, $"shown {model.Shown[0]}");
        // Enlarged back, the model's object is still the scene's object (its edge blurred by the reduction).
        var mask = Mask.FromProbability(300, 200, p);
        Assert.True(SyntheticScene.IoU(mask, scene.Truth) > 0.95);
    }

    [Theory]
    [InlineData(0.05, false)] // a plain answer hesitant on 5 % of the selection: kept
    [InlineData(0.15, true)]  // on 15 %: augmented
    public void TheAugmentationRunsOnlyWhereThePlainAnswerHesitatesOverTheSelection(double hesitantShare, bool augmented)
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 72);
        var image = HiddenTruthModel.Hide(scene.Image, scene.Truth);
        var box = scene.Box;
        // Picture coordinates are the crop's (margin 0.3 around the box): the hesitant rows are the box's top ones, where
        // the object is not, so the plain answer's object stays the scene's and the selection's cues trust it fully.
        var crop = ModelCrops.Grow(box, 0.3, 240, 180);
        int hesitantRows = (int)Math.Round(hesitantShare * box.Height);
        var model = new TwoRunModel((x, y) =>
        {
            int py = y + crop.Y;
            if (py >= box.Y && py < box.Y + hesitantRows) return 0.4f;
            return scene.Truth[x + crop.X, py] ? 0.99f : 0.01f;
        });
        var reports = new ProgressRecorder();
        var prompt = PromptedPrior.Compute(image, GrabCutInput.FromRectangle(box), model, progress: reports);
        Assert.Equal((0, 1, augmented ? 1 : 0), (model.FullAnswers, model.PlainAnswers, model.Augmentations));
        // The plain run is half the model's work and the augmentation the other half, skipped when not asked for.
        Assert.Equal([0.5, 1.0], reports.Values);
        Assert.Equal("trusted", prompt.Trust.Describe());
        // The prior holds the answer that was chosen: the augmented one, or the plain one with its hesitant rows.
        int i = (box.Y - prompt.Window.Y) * prompt.Window.Width + box.X - prompt.Window.X;
        Assert.Equal(augmented ? 0.03f : 0.4f, prompt.Probability[i]);
    }

    [Fact]
    public void APlainAnswerNotFullyTrustedIsAugmentedThoughItIsSure()
    {
        // Sure of every pixel, but its object is a sliver of the selection: the cues lower its trust, and a second opinion
        // is asked for before the cut leans on it (here the augmented answer is the scene's object, trusted fully).
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 74);
        var image = HiddenTruthModel.Hide(scene.Image, scene.Truth);
        var box = scene.Box;
        var crop = ModelCrops.Grow(box, 0.3, 240, 180);
        int middle = box.X + box.Width / 2;
        var model = new TwoRunModel((x, y) => Math.Abs(x + crop.X - middle) < 2 && scene.Truth[x + crop.X, y + crop.Y] ? 0.99f : 0.01f);
        var prompt = PromptedPrior.Compute(image, GrabCutInput.FromRectangle(box), model);
        Assert.Equal((0, 1, 1), (model.FullAnswers, model.PlainAnswers, model.Augmentations));
        Assert.Equal("trusted", prompt.Trust.Describe());
        Assert.Equal(scene.Truth.ToBytes(), prompt.ObjectMask().ToBytes());
    }

    [Fact]
    public void WithTheThresholdAtZeroOrTheWholePhotoSelectedTheModelsOwnAnswerIsTaken()
    {
        var scene = SyntheticScene.ObjectOnClutter(240, 180, 73);
        var image = HiddenTruthModel.Hide(scene.Image, scene.Truth);
        var model = new TwoRunModel((_, _) => 0.99f);
        var prompt = PromptedPrior.Compute(image, GrabCutInput.FromRectangle(scene.Box), model, new PromptedPriorOptions { AugmentAboveAmbiguity = 0 });
        Assert.Equal((1, 0, 0), (model.FullAnswers, model.PlainAnswers, model.Augmentations));
        Assert.Equal(scene.Truth.ToBytes(), prompt.ObjectMask().ToBytes());
        PromptedPrior.Compute(image, GrabCutInput.FromRectangle(new PixelRect(0, 0, 240, 180)), model);
        Assert.Equal((2, 0, 0), (model.FullAnswers, model.PlainAnswers, model.Augmentations));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptedPrior.Compute(image, GrabCutInput.FromRectangle(scene.Box), model, new PromptedPriorOptions { AugmentAboveAmbiguity = 1.5 }));
    }

    [Fact]
    public void AmbiguityIsTheShareOfTheSelectionStrictlyBetweenATenthAndNineTenths()
    {
        float[] p = [0.5f, 0.5f, 0.1f, 0.9f, 0.11f, 0.0f, 0.89f, 1.0f];
        byte[] inside = [0, 1, 1, 1, 1, 1, 1, 0];
        Assert.Equal(3 / 6.0, PromptedPrior.Ambiguity(p, inside), 12);
        Assert.Equal(0, PromptedPrior.Ambiguity(p, new byte[8]));
        Assert.Throws<ArgumentException>(() => PromptedPrior.Ambiguity(p, new byte[7]));
    }

    [Fact]
    public void AnAnswerOfTheWrongSizeIsAnError()
    {
        var image = new ColorImage(64, 64);
        var e = Assert.Throws<InvalidOperationException>(() => ModelCrops.Run(image, new PixelRect(8, 8, 16, 16), [0.1], new WrongSizeModel()));
        Assert.Contains("wrong", e.Message);
    }

    private sealed class WrongSizeModel : IObjectModel
    {
        public string Name => "wrong";
        public float[] Probability(ColorImage image, CancellationToken cancellationToken) => new float[3];
    }
}
