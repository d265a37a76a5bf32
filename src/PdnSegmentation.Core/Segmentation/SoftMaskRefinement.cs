using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Segmentation;

public sealed record SoftMaskRefinementOptions
{
    /// <summary>
    /// Weight of the model's negative log-probability against one pixel's colour log-likelihood. Neighbouring pixels'
    /// colours are far from independent evidence, so colour is trusted less than the model per pixel: 4 (with
    /// <see cref="Gamma"/> 20, the same balance as colour at ¼ weight with Rother's γ scaled alike). Chosen on the
    /// GrabCut and Berkeley sets together: weight 1 / γ 5 gained on one set and lost on the other; 2–8 with γ 10–40 all
    /// gained on both, 4 / 20 most evenly.
    /// </summary>
    public float PriorWeight { get; init; } = 4;

    /// <summary>Smoothness weight γ of the contrast-sensitive pairwise term.</summary>
    public double Gamma { get; init; } = 20;

    /// <summary>
    /// How far from the model's mask the cut may move, in the model's own pixels (its output is coarse: one of its pixels
    /// covers several of the photo's). Beyond that the photo is definite background.
    /// </summary>
    public double ReachInModelPixels { get; init; } = 24;

    /// <summary>GrabCut-style iterations (learn colours, cut); two reach what five do on both sets.</summary>
    public int MaxIterations { get; init; } = 2;

    /// <summary>
    /// After the cut: by default only the main object is kept (the part with the most model probability); on the GrabCut
    /// and Berkeley sets this is the largest gain of the refinement (IoU +2 points on each).
    /// </summary>
    public MaskCleanupOptions Cleanup { get; init; } = new() { MainObjectOnly = true };

    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Refines a model's soft mask (Select Subject's probability, Segment Anything's logits) by a graph cut at the photo's
/// full resolution: the model's probability is a prior in the energy (not only a seed), colour models are learned from
/// the cut as in GrabCut, and a contrast-sensitive smoothness term puts the edge on the photo's edges. Clicks or hints
/// are hard constraints. The cut may only move within <see cref="SoftMaskRefinementOptions.ReachInModelPixels"/> of
/// the model's mask; then islands and holes are cleaned up.
/// </summary>
public static class SoftMaskRefinement
{
    /// <param name="probability">The model's object probability per pixel at the photo's size (0..1).</param>
    /// <param name="modelPixelSize">How many of the photo's pixels one pixel of the model's output spans (e.g. 1000 / 320).</param>
    public static Mask Refine(ColorImage image, ReadOnlySpan<float> probability, double modelPixelSize, SoftMaskRefinementOptions? options = null,
        Mask? definiteObject = null, Mask? definiteBackground = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new SoftMaskRefinementOptions();
        int w = image.Width, h = image.Height;
        if (probability.Length != w * h) throw new ImageSizeMismatchException($"The probability map has {probability.Length} values but the photo is {w}×{h}.");
        if (!(modelPixelSize > 0)) throw new ArgumentOutOfRangeException(nameof(modelPixelSize), modelPixelSize, "The model's pixel size must be positive.");
        var scope = ProgressScope.For(progress);

        var initial = Mask.FromProbability(w, h, probability);
        if (definiteObject is not null) initial = Union(initial, definiteObject);
        if (initial.IsEmpty) return initial;

        // The reach: pixels within ReachInModelPixels of the model's mask may change; beyond, definite background.
        var distance = PixelMaps.DistanceToTargets(initial.Bits, w, h);
        double reach = options.ReachInModelPixels * modelPixelSize;
        var region = new Mask(w, h);
        var regionBits = region.Bits;
        for (int i = 0; i < regionBits.Length; i++) regionBits[i] = distance[i] <= reach ? (byte)1 : (byte)0;
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.1);

        var input = GrabCutInput.FromRegion(region).WithHints(definiteObject, definiteBackground) with
        {
            InitialObject = initial,
            Prior = ObjectPrior.FromProbability(w, h, probability, options.PriorWeight),
        };
        var grabCut = new GrabCutOptions { Gamma = options.Gamma, MaxIterations = options.MaxIterations, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Mask cut;
        try
        {
            cut = GrabCut.Segment(image, input, grabCut, scope.Slice(0.1, 0.9), cancellationToken).Foreground;
        }
        catch (SegmentationInputException)
        {
            // Background hints covering the whole reach: nothing to refine, the hints stand.
            cut = definiteBackground is null ? initial : Subtract(initial, definiteBackground);
        }
        var result = MaskCleanup.Apply(cut, options.Cleanup, probability, definiteObject, definiteBackground);
        scope.Report(1);
        return result;
    }

    private static Mask Union(Mask a, Mask b)
    {
        ImageGuard.SameSize("definite-object mask", b.Width, b.Height, a.Width, a.Height);
        var result = a.Clone();
        var r = result.Bits;
        var o = b.Bits;
        for (int i = 0; i < r.Length; i++) r[i] |= o[i] != 0 ? (byte)1 : (byte)0;
        return result;
    }

    private static Mask Subtract(Mask a, Mask b)
    {
        var result = a.Clone();
        var r = result.Bits;
        var o = b.Bits;
        for (int i = 0; i < r.Length; i++) if (o[i] != 0) r[i] = 0;
        return result;
    }
}
