using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
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
