using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

/// <param name="Alpha">The matte.</param>
/// <param name="Foreground">Decontaminated colours with the matte as alpha: what a layer or cut-out shows.</param>
public sealed record MatteResult(AlphaMatte Alpha, ColorImage Foreground, Trimap Trimap);

/// <summary>
/// The "Refine Matte" operation every host shares: trimap (given, or built from a hard mask) → closed-form alpha →
/// foreground colours.
/// </summary>
public static class RefineMatte
{
    public static MatteResult FromTrimap(ColorImage image, Trimap trimap, ClosedFormOptions? matting = null, ForegroundOptions? foreground = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var scope = ProgressScope.For(progress);
        var alpha = ClosedFormMatting.Estimate(image, trimap, matting, scope.Slice(0, 0.85), cancellationToken).Alpha;
        var colors = ForegroundEstimation.Estimate(image, alpha, foreground, cancellationToken).Foreground;
        scope.Report(1);
        return new MatteResult(alpha, colors, trimap);
    }

    /// <summary>Mask → automatic trimap (an unknown band along the mask's edge) → matte.</summary>
    public static MatteResult FromMask(ColorImage image, Mask mask, TrimapBandOptions? band = null, ClosedFormOptions? matting = null,
        ForegroundOptions? foreground = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageGuard.SameSize("mask", mask.Width, mask.Height, image.Width, image.Height);
        if (mask.IsEmpty) throw new SegmentationInputException("The mask is empty: there is no object whose edge could be matted.");
        var trimap = TrimapBuilder.FromMask(mask, band);
        return FromTrimap(image, trimap, matting, foreground, progress, cancellationToken);
    }
}
