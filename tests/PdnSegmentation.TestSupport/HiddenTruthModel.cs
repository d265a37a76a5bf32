using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;

namespace PdnSegmentation.TestSupport;

/// <summary>
/// A stand-in for an object model with a known answer: the scene hides what the model "knows" in the alpha channel
/// (254 = object, 255 = not), which colour models never read, so a test controls exactly what the model sees — the
/// truth, a wrong object, nothing — wherever the engine crops or reduces the photo. It records every picture it is shown.
/// </summary>
public sealed class HiddenTruthModel(float objectProbability = 0.97f, float backgroundProbability = 0.03f) : IObjectModel
{
    public const byte ObjectAlpha = 254;

    public string Name => "hidden-truth";

    /// <summary>The sizes of the pictures the model was shown, in order.</summary>
    public List<(int Width, int Height)> Shown { get; } = new();

    public float[] Probability(ColorImage image, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Shown) Shown.Add((image.Width, image.Height));
        var p = new float[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            // Reduced pictures average the alpha: a pixel at least half object reads below 254.5.
            for (int x = 0; x < image.Width; x++) p[y * image.Width + x] = row[4 * x + 3] < 255 ? objectProbability : backgroundProbability;
        }
        return p;
    }

    /// <summary>A copy of <paramref name="image"/> whose hidden channel says <paramref name="known"/> is the object.</summary>
    public static ColorImage Hide(ColorImage image, Mask known)
    {
        var copy = image.Clone();
        for (int y = 0; y < copy.Height; y++)
        {
            var row = copy.Row(y);
            for (int x = 0; x < copy.Width; x++) row[4 * x + 3] = known[x, y] ? ObjectAlpha : (byte)255;
        }
        return copy;
    }
}
