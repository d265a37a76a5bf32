using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.ObjectModels;

/// <summary>
/// A model with an augmentation: its plain answer is <paramref name="plain"/>(x, y) in picture coordinates, its augmented
/// answer (and its own, <see cref="IObjectModel.Probability"/>) the hidden truth's (0.97 inside, 0.03 outside); counts
/// which answers were asked for.
/// </summary>
internal sealed class TwoRunModel(Func<int, int, float> plain) : IAugmentableObjectModel
{
    public int FullAnswers, PlainAnswers, Augmentations;
    public string Name => "two-run";

    public float[] Probability(ColorImage image, CancellationToken cancellationToken)
    {
        FullAnswers++;
        return new HiddenTruthModel().Probability(image, cancellationToken);
    }

    public AugmentableProbability PlainProbability(ColorImage image, CancellationToken cancellationToken)
    {
        PlainAnswers++;
        var p = new float[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++) for (int x = 0; x < image.Width; x++) p[y * image.Width + x] = plain(x, y);
        return new AugmentableProbability(p, token => { Augmentations++; return new HiddenTruthModel().Probability(image, token); });
    }
}
