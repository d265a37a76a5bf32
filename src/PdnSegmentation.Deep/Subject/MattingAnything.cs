using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Deep.Subject;

/// <summary>
/// "Matting Anything": a deep mask → an automatic trimap along its edge, wider where the model was unsure
/// (probability near ½) → a classic matte with clean colours. Each stage is the engine's own and usable alone.
/// </summary>
public static class MattingAnything
{
    public static MatteResult FromSubject(ColorImage image, SubjectResult subject, TrimapBandOptions? band = null, RefineMatteOptions? matting = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (subject.Mask.IsEmpty)
            throw new SegmentationInputException("No subject was found in the image: try the other model, or select the object and use Smart Cut.");
        var probability = subject.Probability.Values;
        var uncertainty = new float[probability.Length];
        for (int i = 0; i < uncertainty.Length; i++) uncertainty[i] = 1 - Math.Abs(2 * probability[i] - 1);
        return FromMask(image, subject.Mask, uncertainty, band, matting, progress, cancellationToken);
    }

    /// <summary>Any deep mask (e.g. Segment Anything's) → trimap along its edge (widened where <paramref name="uncertainty"/> is high) → matte.</summary>
    public static MatteResult FromMask(ColorImage image, Mask mask, float[]? uncertainty, TrimapBandOptions? band = null, RefineMatteOptions? matting = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (mask.IsEmpty) throw new SegmentationInputException("The mask is empty: there is no object whose edge could be matted.");
        var trimap = TrimapBuilder.FromMask(mask, band, uncertainty);
        return RefineMatte.FromTrimap(image, trimap, matting, progress, cancellationToken);
    }
}
