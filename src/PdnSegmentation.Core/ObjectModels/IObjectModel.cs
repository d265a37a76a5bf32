using PdnSegmentation.Imaging;

namespace PdnSegmentation.ObjectModels;

/// <summary>
/// A model that knows objects: for every pixel of the picture it is shown, how likely that pixel belongs to the picture's
/// main object (a salient-object or subject model such as the bundled u2netp). The engine decides what to show it — the
/// whole photo, or a crop around the user's selection, box or clicks — and how far to trust the answer; the model itself
/// (ONNX Runtime, its device, its input contract) lives outside the engine.
/// </summary>
public interface IObjectModel
{
    /// <summary>The name hosts show (e.g. "u2netp").</summary>
    string Name { get; }

    /// <summary>Object probability (0..1) per pixel of <paramref name="image"/>, row-major, at the image's size.</summary>
    float[] Probability(ColorImage image, CancellationToken cancellationToken);
}

/// <summary>
/// An object model with a test-time augmentation (u2netp: the picture mirrored left–right, the two answers averaged)
/// that the engine may ask for only where the plain answer hesitates — the augmentation costs another run of the model.
/// </summary>
public interface IAugmentableObjectModel : IObjectModel
{
    /// <summary>
    /// The plain answer (one run) and the way to the augmented one from it without running the plain one again. The
    /// augmented answer is what <see cref="IObjectModel.Probability"/> gives.
    /// </summary>
    AugmentableProbability PlainProbability(ColorImage image, CancellationToken cancellationToken);
}

/// <summary>A model's plain answer, and its augmented answer on request (see <see cref="IAugmentableObjectModel"/>).</summary>
public sealed class AugmentableProbability(float[] plain, Func<CancellationToken, float[]> augmented)
{
    /// <summary>Object probability per pixel from one run, row-major, at the picture's size.</summary>
    public float[] Plain { get; } = plain;

    /// <summary>The augmented answer (the plain run's work reused); the plain one itself where the model has no augmentation.</summary>
    public float[] Augmented(CancellationToken cancellationToken) => augmented(cancellationToken);
}
