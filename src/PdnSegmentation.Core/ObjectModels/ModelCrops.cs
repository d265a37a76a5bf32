using PdnSegmentation.Imaging;

namespace PdnSegmentation.ObjectModels;

/// <summary>
/// Runs an object model on crops of a photo around a region of interest and pastes the answers back: the model is
/// pointed at the object instead of guessing the photo's main subject, and a small object gets the model's whole input
/// instead of a few of its pixels. Several margins are averaged (a test-time augmentation over the framing).
/// </summary>
public static class ModelCrops
{
    /// <summary>
    /// Crops bigger than this are given to the model reduced to it and its answer enlarged bilinearly: a model sees a few
    /// hundred pixels across, and an edge-following map of a 24 MP crop would cost gigabytes of filter buffers only for
    /// the graph cut's own contrast term to place the edge again.
    /// </summary>
    public const int DefaultMaxModelPixels = 4_000_000;

    /// <summary>The region grown by <paramref name="margin"/> times its width and height on each side, clipped to the image.</summary>
    public static PixelRect Grow(PixelRect region, double margin, int imageWidth, int imageHeight) =>
        region.Grow(margin).Intersect(new PixelRect(0, 0, imageWidth, imageHeight));

    /// <summary>The part of the photo <see cref="Run"/> answers for: the region grown by the widest margin, clipped to the photo.</summary>
    public static PixelRect Window(PixelRect region, IReadOnlyList<double> margins, int imageWidth, int imageHeight) =>
        Grow(region.Intersect(new PixelRect(0, 0, imageWidth, imageHeight)), margins.Max(), imageWidth, imageHeight);

    /// <summary>
    /// The model's object probability over the window <c>Grow(region, max margin)</c>: one run per margin on the crop
    /// <c>Grow(region, margin)</c>, averaged where crops overlap (the widest crop alone covers the window's outer ring).
    /// </summary>
    /// <returns>The window (image coordinates) and its probabilities, row-major at the window's size.</returns>
    /// <param name="augmentWhen">For a model with a test-time augmentation (<see cref="IAugmentableObjectModel"/>): given
    /// the window and the plain answers over it, whether to augment them (each crop's second run only). Null: the model's
    /// own answer (<see cref="IObjectModel.Probability"/>, augmented as the model does by default). Other models ignore it.</param>
    public static (PixelRect Window, float[] Probability) Run(ColorImage image, PixelRect region, IReadOnlyList<double> margins, IObjectModel model,
        int maxModelPixels = DefaultMaxModelPixels, IProgress<double>? progress = null, CancellationToken cancellationToken = default,
        Func<PixelRect, float[], bool>? augmentWhen = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(model);
        if (margins.Count == 0 || margins.Any(m => !(m >= 0 && m <= 10))) throw new ArgumentOutOfRangeException(nameof(margins), "Give one or more margins between 0 and 10.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxModelPixels, 1024);
        region = region.Intersect(new PixelRect(0, 0, image.Width, image.Height));
        if (region.IsEmpty) throw new ArgumentOutOfRangeException(nameof(region), "The region must overlap the image.");
        var window = Window(region, margins, image.Width, image.Height);
        var crops = margins.Select(m => Grow(region, m, image.Width, image.Height)).ToArray();
        var augmentable = augmentWhen is null ? null : model as IAugmentableObjectModel;
        var answers = new Func<CancellationToken, float[]>[crops.Length];
        var probabilities = new float[crops.Length][];
        // With an augmentation possible, the plain runs are the first half of the progress and the augmentation the second
        // (skipped when not asked for): an augmented run costs what a plain one does.
        double share = augmentable is null ? 1 : 0.5;
        for (int k = 0; k < crops.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (probabilities[k], answers[k]) = OnCrop(image, crops[k], model, augmentable, maxModelPixels, cancellationToken);
            progress?.Report(share * (k + 1) / crops.Length);
        }
        var average = Average(window, crops, probabilities);
        if (augmentable is null || !augmentWhen!(window, average))
        {
            progress?.Report(1);
            return (window, average);
        }
        for (int k = 0; k < crops.Length; k++)
        {
            probabilities[k] = answers[k](cancellationToken);
            progress?.Report(0.5 + 0.5 * (k + 1) / crops.Length);
        }
        return (window, Average(window, crops, probabilities));
    }

    private static float[] Average(PixelRect window, PixelRect[] crops, float[][] probabilities)
    {
        // One crop is the window itself: its answer is the average (a 24 MP photo's window is 120 MB of sum and count).
        if (crops.Length == 1) return probabilities[0];
        var sum = new float[window.Width * window.Height];
        var count = new byte[sum.Length];
        for (int k = 0; k < crops.Length; k++)
        {
            var crop = crops[k];
            for (int y = 0; y < crop.Height; y++)
            {
                var from = probabilities[k].AsSpan(y * crop.Width, crop.Width);
                int offset = (crop.Y - window.Y + y) * window.Width + crop.X - window.X;
                var to = sum.AsSpan(offset, crop.Width);
                var seen = count.AsSpan(offset, crop.Width);
                for (int x = 0; x < from.Length; x++) { to[x] += from[x]; seen[x]++; }
            }
        }
        for (int i = 0; i < sum.Length; i++) sum[i] = count[i] == 0 ? 0 : sum[i] / count[i];
        return sum;
    }

    /// <summary>
    /// The model's probability for one crop, at the crop's size (reduced for the model when the crop is large): its plain
    /// answer and the way to its augmented one when <paramref name="augmentable"/> is given, else the model's own answer.
    /// </summary>
    private static (float[] Answer, Func<CancellationToken, float[]> Augmented) OnCrop(ColorImage image, PixelRect crop, IObjectModel model,
        IAugmentableObjectModel? augmentable, int maxModelPixels, CancellationToken cancellationToken)
    {
        bool reduce = crop.Area > maxModelPixels;
        double factor = reduce ? Math.Sqrt((double)maxModelPixels / crop.Area) : 1;
        int w = reduce ? Math.Max(1, (int)(crop.Width * factor)) : crop.Width, h = reduce ? Math.Max(1, (int)(crop.Height * factor)) : crop.Height;
        var pixels = reduce ? PixelMaps.ResizeRegion(image, crop, w, h)
            : crop == new PixelRect(0, 0, image.Width, image.Height) ? image : image.Crop(crop);
        float[] AtCropSize(float[] answer) => reduce ? PixelMaps.ResizeFloat(Checked(answer, w, h, model), w, h, crop.Width, crop.Height) : Checked(answer, w, h, model);
        if (augmentable is null)
        {
            var answer = AtCropSize(model.Probability(pixels, cancellationToken));
            return (answer, _ => answer);
        }
        var plain = augmentable.PlainProbability(pixels, cancellationToken);
        return (AtCropSize(plain.Plain), token => AtCropSize(plain.Augmented(token)));
    }

    private static float[] Checked(float[] probability, int width, int height, IObjectModel model) =>
        probability.Length == width * height ? probability
            : throw new InvalidOperationException($"The object model '{model.Name}' returned {probability.Length} values for a {width}×{height} picture.");
}
