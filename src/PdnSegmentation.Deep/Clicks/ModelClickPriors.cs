using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Clicks;

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

    public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, Mask? selection, CancellationToken cancellationToken)
    {
        var points = clicks.Select(c => ((double)c.X, (double)c.Y, c.Positive)).ToList();
        Last = sam.Segment(image, new SamPrompt(box, points), cancellationToken);
        var logits = SegmentAnything.UpscaleLogits(Last.LowResLogits, image.Width, image.Height);
        for (int i = 0; i < logits.Length; i++) logits[i] = 1 / (1 + MathF.Exp(-logits[i]));
        return logits;
    }
}
