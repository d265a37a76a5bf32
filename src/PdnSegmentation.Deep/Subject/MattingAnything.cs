using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Deep.Subject;

/// <summary>
/// "Matting Anything": a deep mask (Select Subject's refined mask, Segment Anything's) → an automatic trimap along its
/// edge, wider where the model was unsure (probability near ½), each part of the mask keeping a definite core → a
/// matte (closed-form, or an installed deep matting model) kept close to the mask (<see cref="MatteDeparture"/>) →
/// clean colours. Away from the edge the mask stands. Each stage is the engine's own and usable alone.
/// </summary>
public static class MattingAnything
{
    /// <param name="deepMatting">An installed deep matting model for the band; null for the classic matte (closed-form or Bayesian, per <paramref name="matting"/>).</param>
    public static MatteResult FromSubject(ColorImage image, SubjectResult subject, TrimapBandOptions? band = null, RefineMatteOptions? matting = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default, DeepMatting? deepMatting = null)
    {
        if (subject.Mask.IsEmpty)
            throw new SegmentationInputException("No subject was found in the image: try another model, or select the object and use Smart Cut.");
        return FromMask(image, subject.Mask, Uncertainty(subject.Probability.Values), band, matting, progress, cancellationToken, deepMatting);
    }

    /// <summary>How unsure a model was per pixel: 1 − |2p − 1| (1 at p = ½, 0 at p = 0 or 1).</summary>
    public static float[] Uncertainty(ReadOnlySpan<float> probability)
    {
        var uncertainty = new float[probability.Length];
        for (int i = 0; i < uncertainty.Length; i++) uncertainty[i] = 1 - Math.Abs(2 * probability[i] - 1);
        return uncertainty;
    }

    /// <summary>Any deep mask (e.g. Segment Anything's) → trimap along its edge (widened where <paramref name="uncertainty"/> is high) → matte.</summary>
    public static MatteResult FromMask(ColorImage image, Mask mask, float[]? uncertainty, TrimapBandOptions? band = null, RefineMatteOptions? matting = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default, DeepMatting? deepMatting = null)
    {
        if (mask.IsEmpty) throw new SegmentationInputException("The mask is empty: there is no object whose edge could be matted.");
        band ??= new TrimapBandOptions();
        matting ??= new RefineMatteOptions();
        var trimap = TrimapBuilder.FromMask(mask, band, uncertainty);
        var scope = ProgressScope.For(progress);
        // A mask covering the whole photo (or too small to hold a definite core) leaves no edge to matte: it stands as it is.
        bool matteable = trimap.Count(TrimapLabel.Unknown) > 0 && trimap.Count(TrimapLabel.Foreground) > 0 && trimap.Count(TrimapLabel.Background) > 0;
        var alpha = !matteable ? AlphaMatte.FromMask(mask)
            : deepMatting is null
                ? RefineMatte.EstimateAlpha(image, trimap, matting, scope.Slice(0, 0.85), cancellationToken)
                : deepMatting.Estimate(image, trimap, cancellationToken);
        MatteDeparture.LimitToMask(alpha.Values, mask, band, uncertainty);
        scope.Report(0.85);
        var colors = ForegroundEstimation.EstimateForeground(image, alpha, matting.Foreground, cancellationToken);
        scope.Report(1);
        return new MatteResult(alpha, colors, trimap);
    }
}
