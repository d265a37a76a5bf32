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
