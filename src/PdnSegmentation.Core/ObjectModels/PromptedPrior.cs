using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.ObjectModels;

/// <summary>A linear ramp from 0 at <see cref="Low"/> to 1 at <see cref="High"/>.</summary>
public readonly record struct TrustRamp(double Low, double High)
{
    public double Of(double value) => High <= Low ? (value >= High ? 1 : 0) : Math.Clamp((value - Low) / (High - Low), 0, 1);
}

public sealed record PromptedPriorOptions
{
    /// <summary>
    /// Crops around the selection's bounds, as fractions of its width and height added on each side; the model runs once
    /// per crop (twice with a mirror-averaging model) and the answers are averaged. One crop with three tenths: the context
    /// a tightly drawn box leaves out, at half the cost of two crops. Mean IoU / error inside the box (GrabCut set; Berkeley;
    /// boxes.csv, fused cut, u2netp mirror-averaged, 2026-12-07): 0.1 alone 0.932 / 3.69 %; 0.877 / 6.34 %; 0.2 alone
    /// 0.931 / 3.82 %; 0.886 / 5.77 %; 0.3 alone 0.929 / 3.91 %; 0.890 / 5.68 %; 0.1 and 0.3 averaged (four model runs)
    /// 0.932 / 3.76 %; 0.889 / 5.68 %. Over both sets' 100 images 0.3 alone is the best single crop (IoU 0.903, error
    /// 5.08 %) and within 0.001 IoU of the averaged pair. Without mirror averaging, 0.2: 0.917 / 4.50 %; 0.888 / 5.71 %.
    /// </summary>
    public IReadOnlyList<double> Margins { get; init; } = [0.3];

    /// <summary>
    /// A model with a test-time augmentation (u2netp's mirror image: a second run) is augmented only where its plain answer
    /// needs it: it hesitates — more than this share of the selection between 0.1 and 0.9 (<see cref="Ambiguity"/>) — or
    /// the selection's cues do not trust it fully (a cue on its ramp, where a second opinion moves the cut most); 0
    /// augments always, and a whole-photo selection always is. Where the model is sure and trusted the mirrored run
    /// changes little and costs as much as the first. Measured on every public set (boxes.csv rectangles and lasso
    /// selections, fused cut, u2netp, 2026-12-07; mean IoU / error inside the selection's box, images more than 0.05 IoU
    /// below GrabCut alone): always augmented — GrabCut set 0.9279 / 3.15 % / 2, Berkeley 0.8897 / 5.67 % / 2, lasso 0.9611 /
    /// 1.66 %; never — 0.9126 / 3.84 %, 0.8849 / 5.84 %, 0.9349 / 2.64 %; hesitation above 0.07 / 0.10 / 0.12 / 0.15 or
    /// trust below full — GrabCut set 0.928 / 0.929 / 0.928 / 0.928 IoU, Berkeley 0.891 / 0.891 / 0.890 / 0.889, lasso
    /// 0.961 / 0.961 / 0.961 / 0.962, 2 images below GrabCut alone on each set throughout, the second run on 102 / 80 / 69
    /// / 57 of the 134 selections. Hesitation alone, without the trust rule, put a third Berkeley image below GrabCut
    /// alone (300091: its plain answer trusted at 2 %, the augmented one not at all). 0.1, the middle of the flat stretch.
    /// </summary>
    public double AugmentAboveAmbiguity { get; init; } = 0.1;

    /// <summary>Crops above this many pixels are given to the model reduced (see <see cref="ModelCrops.DefaultMaxModelPixels"/>).</summary>
    public int MaxModelPixels { get; init; } = ModelCrops.DefaultMaxModelPixels;

    /// <summary>
    /// "Found nothing": trust rises from 0 to 1 as the model's object fills this fraction of the selection. The user drew the
    /// selection around the object; on both public sets no object fills less than 0.19 of its box, while the model's
    /// misses (a sliver of a banana, a bush's pot) fill 0.01–0.13.
    /// </summary>
    public TrustRamp ObjectFraction { get; init; } = new(0.1, 0.2);

    /// <summary>
    /// "A sliver": trust rises from 0 to 1 as the model's object spans this fraction of the selection's width and height (the
    /// smaller of the two): a selection is drawn across the object, so its object reaches most of the way across it
    /// (Lempitsky et al. 2009's tightness prior, loosened for hand-drawn selections).
    /// </summary>
    public TrustRamp Span { get; init; } = new(0.5, 0.7);

    /// <summary>
    /// "Fills the whole box": trust falls from 1 to 0 as the model's object covers this fraction of a band just outside the
    /// selection. The model's object then goes on past the selection — the whole doll where the user selected its head —
    /// and is not the object selected. Correct objects in the Berkeley set's tight boxes cover up to 0.10 of it.
    /// </summary>
    public TrustRamp OutsideCover { get; init; } = new(0.1, 0.2);

    /// <summary>The band's width, as a fraction of the square root of the selection's bounding-box area (at least 2 pixels).</summary>
    public double OutsideBand { get; init; } = 0.05;

    /// <summary>
    /// A selection of the whole photo (Paint.NET's "no selection", a rectangle the size of the photo) is no prompt: it
    /// says nothing of where the object is, so the three cues above, which read a selection drawn around one object, do
    /// not apply — and GrabCut, with nothing outside to learn the background from, can only guess it from the photo's
    /// frame. The model's subject is then the evidence, as in Select Subject, unless it found nothing or everything:
    /// trust rises from 0 to 1 as its object fills this fraction of the photo, and falls again as it fills
    /// <see cref="WholePhotoEverything"/> (a photo's subject is neither a speck nor the whole frame).
    /// </summary>
    public TrustRamp WholePhotoObject { get; init; } = new(0.005, 0.02);

    /// <summary>Trust falls from 1 to 0 as the model's object fills this fraction of a whole-photo selection (see <see cref="WholePhotoObject"/>).</summary>
    public TrustRamp WholePhotoEverything { get; init; } = new(0.9, 0.98);

    internal void Validate()
    {
        if (Margins is null || Margins.Count == 0 || Margins.Any(m => !(m is >= 0 and <= 10)))
            throw new ArgumentOutOfRangeException(nameof(Margins), "Give one or more crop margins between 0 and 10.");
        if (!(AugmentAboveAmbiguity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(AugmentAboveAmbiguity), AugmentAboveAmbiguity, "Give a fraction between 0 and 1.");
        if (!(OutsideBand is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(OutsideBand), OutsideBand, "The band must be between 0 and 1.");
    }
}

/// <summary>
/// How far the engine trusts a model's object for a selection, and why: its cues and their ramps' product. 0 means the
/// cut is the colour models' alone (GrabCut as without a model).
/// </summary>
/// <param name="ObjectFraction">The model's object (probability ≥ ½) as a fraction of the selection.</param>
/// <param name="Span">How far the model's object reaches across the selection: the smaller of its width and height fractions.</param>
/// <param name="OutsideCover">The fraction of the band just outside the selection that the model calls object.</param>
/// <param name="Value">The trust: the three ramps multiplied (for a whole-photo selection, the object-size ramps alone).</param>
/// <param name="Reasons">What lowered it, in the user's words (empty at full trust).</param>
/// <param name="WholePhoto">The selection was the whole photo: no prompt, the model's subject is the object.</param>
public sealed record ModelTrust(double ObjectFraction, double Span, double OutsideCover, double Value, IReadOnlyList<string> Reasons, bool WholePhoto = false)
{
    /// <summary>One line for hosts: how far the model was trusted and, below full trust, why.</summary>
    public string Describe()
    {
        string why = Reasons.Count == 0 ? "" : ": " + string.Join("; ", Reasons);
        string trusted = WholePhoto ? "trusted (the whole photo is selected: its subject is the object)" : "trusted";
        return Value >= 1 ? trusted : Value <= 0 ? $"not used{why} (colour models alone)" : $"trusted at {100 * Value:F0} %{why}";
    }

    /// <summary>
    /// The whole photo was selected and the model's subject is nothing or everything: there is no prompt and no subject,
    /// so a cut would only be GrabCut's guess from the photo's frame (on a smooth ramp it kept three quarters of the photo).
    /// </summary>
    public bool FoundNoSubject => WholePhoto && Value <= 0;
}

/// <summary>
/// What a model knows about the object the user selected: the model run on crops around the selection (rectangle or
/// free-form, <see cref="ModelCrops"/>), its probability kept only inside the selection, and how far to trust it
/// (<see cref="ModelTrust"/>): where the model finds nothing, a sliver, or an object that goes on past the selection, the
/// selection is about something else and the cut leans on the colour models.
/// </summary>
public sealed class PromptedPrior
{
    private readonly float[] _probability;

    private PromptedPrior(PixelRect window, float[] probability, ModelTrust trust, int imageWidth, int imageHeight)
    {
        Window = window;
        _probability = probability;
        Trust = trust;
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
    }

    /// <summary>The part of the photo the model saw (the widest crop), in image coordinates.</summary>
    public PixelRect Window { get; }

    /// <summary>Object probability over <see cref="Window"/>, row-major; 0 outside the selection.</summary>
    public ReadOnlySpan<float> Probability => _probability;

    public ModelTrust Trust { get; }
    public int ImageWidth { get; }
    public int ImageHeight { get; }

    /// <summary>The prior for the user's selection (a rectangle or a free-form region, as GrabCut takes it).</summary>
    public static PromptedPrior Compute(ColorImage image, GrabCutInput selection, IObjectModel model, PromptedPriorOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new PromptedPriorOptions();
        options.Validate();
        var bounds = selection.SelectionBounds(image.Width, image.Height);
        bool wholePhoto = selection.Region is { } region
            ? region.CountSet() == (long)image.Width * image.Height
            : bounds == new PixelRect(0, 0, image.Width, image.Height);
        var inside = InsideWindow(selection, bounds, ModelCrops.Window(bounds, options.Margins, image.Width, image.Height), image.Width);
        // The augmentation (u2netp's mirrored run) only where the plain answer needs it: it hesitates over the selection,
        // or its trust is not full (a cue on a ramp, where a second opinion moves the cut most). With the whole photo
        // selected the model's answer is all the evidence there is (as in Select Subject, which always augments): always.
        ModelTrust? keptTrust = null; // the plain answer's trust when the plain answer is kept
        Func<PixelRect, float[], bool>? augmentWhen = wholePhoto || options.AugmentAboveAmbiguity <= 0 ? null : (window, plain) =>
        {
            if (Ambiguity(plain, inside) > options.AugmentAboveAmbiguity) return true;
            var plainTrust = Assess(plain, inside, window, bounds, false, options);
            if (plainTrust.Value < 1) return true;
            keptTrust = plainTrust;
            return false;
        };
        var (window, probability) = ModelCrops.Run(image, bounds, options.Margins, model, options.MaxModelPixels, progress, cancellationToken, augmentWhen);
        cancellationToken.ThrowIfCancellationRequested();
        var trust = keptTrust ?? Assess(probability, inside, window, bounds, wholePhoto, options);
        for (int i = 0; i < probability.Length; i++) if (inside[i] == 0) probability[i] = 0;
        return new PromptedPrior(window, probability, trust, image.Width, image.Height);
    }

    /// <summary>The share of the selection where the model hesitates: its probability strictly between 0.1 and 0.9.</summary>
    /// <param name="inside">1 where the pixel is in the selection (the same layout as <paramref name="probability"/>).</param>
    public static double Ambiguity(ReadOnlySpan<float> probability, ReadOnlySpan<byte> inside)
    {
        if (probability.Length != inside.Length) throw new ArgumentException("One selection flag per probability is needed.", nameof(inside));
        long selected = 0, hesitant = 0;
        for (int i = 0; i < probability.Length; i++)
        {
            if (inside[i] == 0) continue;
            selected++;
            if (probability[i] is > 0.1f and < 0.9f) hesitant++;
        }
        return selected == 0 ? 0 : (double)hesitant / selected;
    }

    /// <summary>1 where the window's pixel is inside the selection.</summary>
    private static byte[] InsideWindow(GrabCutInput selection, PixelRect bounds, PixelRect window, int imageWidth)
    {
        var inside = new byte[window.Width * window.Height];
        if (selection.Region is { } region)
        {
            var bits = region.Bits;
            for (int y = 0; y < window.Height; y++)
            {
                var from = bits.Slice((window.Y + y) * imageWidth + window.X, window.Width);
                var to = inside.AsSpan(y * window.Width, window.Width);
                for (int x = 0; x < to.Length; x++) to[x] = from[x] != 0 ? (byte)1 : (byte)0;
            }
        }
        else
        {
            for (int y = bounds.Y; y < bounds.Bottom; y++)
                inside.AsSpan((y - window.Y) * window.Width + bounds.X - window.X, bounds.Width).Fill(1);
        }
        return inside;
    }

    private static ModelTrust Assess(float[] probability, byte[] inside, PixelRect window, PixelRect bounds, bool wholePhoto, PromptedPriorOptions options)
    {
        int ww = window.Width, wh = window.Height;
        long area = 0, objectArea = 0, band = 0, bandObject = 0;
        int minX = ww, minY = wh, maxX = -1, maxY = -1;
        double bandWidth = Math.Max(2, options.OutsideBand * Math.Sqrt(bounds.Area));
        var distance = PixelMaps.DistanceToTargets(inside, ww, wh);
        for (int y = 0; y < wh; y++)
            for (int x = 0, i = y * ww; x < ww; x++, i++)
            {
                bool isObject = probability[i] >= 0.5f;
                if (inside[i] != 0)
                {
                    area++;
                    if (!isObject) continue;
                    objectArea++;
                    if (x < minX) minX = x;
                    if (x > maxX) maxX = x;
                    if (y < minY) minY = y;
                    maxY = y;
                }
                else if (distance[i] <= bandWidth)
                {
                    band++;
                    if (isObject) bandObject++;
                }
            }
        double fraction = area == 0 ? 0 : (double)objectArea / area;
        double span = maxX < 0 ? 0 : Math.Min((double)(maxX - minX + 1) / bounds.Width, (double)(maxY - minY + 1) / bounds.Height);
        double cover = band == 0 ? 0 : (double)bandObject / band;
        if (wholePhoto) return AssessWholePhoto(fraction, span, options);
        double found = options.ObjectFraction.Of(fraction), across = options.Span.Of(span), contained = 1 - options.OutsideCover.Of(cover);
        var reasons = new List<string>();
        if (found < 1) reasons.Add($"its object fills only {Percent(fraction)} of the selection");
        if (across < 1) reasons.Add($"its object reaches only {Percent(span)} of the way across the selection");
        if (contained < 1) reasons.Add($"its object goes on outside the selection ({Percent(cover)} of the band around it)");
        return new ModelTrust(fraction, span, cover, found * across * contained, reasons);
    }

    private static ModelTrust AssessWholePhoto(double fraction, double span, PromptedPriorOptions options)
    {
        double found = options.WholePhotoObject.Of(fraction), notEverything = 1 - options.WholePhotoEverything.Of(fraction);
        var reasons = new List<string>();
        if (found < 1) reasons.Add($"its subject fills only {Percent(fraction)} of the photo");
        if (notEverything < 1) reasons.Add($"its subject fills {Percent(fraction)} of the photo");
        return new ModelTrust(fraction, span, 0, found * notEverything, reasons, WholePhoto: true);
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " %";

    /// <summary>The model's object (probability ≥ ½, inside the selection) at the photo's size.</summary>
    public Mask ObjectMask()
    {
        var mask = new Mask(ImageWidth, ImageHeight);
        var bits = mask.Bits;
        for (int y = 0; y < Window.Height; y++)
        {
            var from = _probability.AsSpan(y * Window.Width, Window.Width);
            var to = bits.Slice((Window.Y + y) * ImageWidth + Window.X, Window.Width);
            for (int x = 0; x < from.Length; x++) to[x] = from[x] >= 0.5f ? (byte)1 : (byte)0;
        }
        return mask;
    }

    /// <summary>The probability as a graph cut's prior at the photo's size: certain background outside the window.</summary>
    public ObjectPrior ToObjectPrior(float weight)
    {
        var logOdds = new float[ImageWidth * ImageHeight];
        Array.Fill(logOdds, -ObjectPrior.MaxLogOdds);
        for (int y = 0; y < Window.Height; y++)
        {
            var from = _probability.AsSpan(y * Window.Width, Window.Width);
            var to = logOdds.AsSpan((Window.Y + y) * ImageWidth + Window.X, Window.Width);
            ObjectPrior.ToLogOdds(from, to);
        }
        return new ObjectPrior(ImageWidth, ImageHeight, logOdds, weight);
    }
}
