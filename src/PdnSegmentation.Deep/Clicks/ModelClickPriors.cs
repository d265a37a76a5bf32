using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Clicks;

/// <summary>
/// A subject model's probability as the click engine's prior: the salient object of the photo, computed once. It speaks
/// only for the object it found: while no object click lies on that object (probability ≥ ½), the user is after
/// something else and the model says nothing.
/// </summary>
public sealed class SubjectClickPrior(SubjectSelector selector, ColorImage image) : IClickPrior
{
    private float[]? _probability;

    /// <summary>
    /// The model's map is made on the photo reduced to at most this many pixels and enlarged bilinearly: the click engine
    /// cuts at 0.25 MP at most, so an edge-following full-size map of a 24 MP photo (gigabytes of guided-filter buffers)
    /// would be thrown away; photos up to this size get exactly the selector's map.
    /// </summary>
    internal const int MaxMapPixels = 4_000_000;

    public string Name => selector.Name;

    private float[] SalientObject(CancellationToken cancellationToken)
    {
        if (image.PixelCount <= MaxMapPixels) return selector.Probability(image, cancellationToken).Probability.Values.ToArray();
        double factor = Math.Sqrt((double)MaxMapPixels / image.PixelCount);
        int w = Math.Max(1, (int)(image.Width * factor)), h = Math.Max(1, (int)(image.Height * factor));
        var reduced = selector.Probability(PixelMaps.Resize(image, w, h), cancellationToken).Probability.Values.ToArray();
        return PixelMaps.ResizeFloat(reduced, w, h, image.Width, image.Height);
    }

    public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, CancellationToken cancellationToken)
    {
        _probability ??= SalientObject(cancellationToken);
        var probability = _probability;
        return clicks.Any(c => c.Positive && probability[c.Y * image.Width + c.X] >= 0.5f) ? probability : null;
    }
}

/// <summary>
/// Segment Anything as the click engine's prior: the decoder runs on all clicks and the box (the encoder once per photo);
/// its upscaled logits become a probability that the engine's graph cut refines at full resolution with the clicks as
/// hard constraints. The previous mask is not fed back, so the result depends on the clicks alone (clicking one by one
/// gives what the same clicks give at once, as for the classic engine).
/// </summary>
public sealed class SamClickPrior(SegmentAnything sam, ColorImage image, string name) : IClickPrior
{
    public string Name => name;

    /// <summary>The decoder's last result (for hosts that report SAM's predicted IoU).</summary>
    public SamResult? Last { get; private set; }

    public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, CancellationToken cancellationToken)
    {
        var points = clicks.Select(c => ((double)c.X, (double)c.Y, c.Positive)).ToList();
        Last = sam.Segment(image, new SamPrompt(box, points), cancellationToken);
        var logits = SegmentAnything.UpscaleLogits(Last.LowResLogits, image.Width, image.Height);
        for (int i = 0; i < logits.Length; i++) logits[i] = 1 / (1 + MathF.Exp(-logits[i]));
        return logits;
    }
}
