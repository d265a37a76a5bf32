using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

/// <param name="Alpha">The matte.</param>
/// <param name="Foreground">Decontaminated colours with the matte as alpha: what a layer or cut-out shows.</param>
public sealed record MatteResult(AlphaMatte Alpha, ColorImage Foreground, Trimap Trimap);

public enum MattingMethod
{
    /// <summary>Levin et al. 2008: smooth, globally consistent; the default.</summary>
    ClosedForm,
    /// <summary>Chuang et al. 2001: local colour models; good where foreground and background colours differ clearly.</summary>
    Bayesian,
    /// <summary>Grady et al. 2005: random walks on a colour-weighted pixel graph; fast, follows colour edges, blunt on hair.</summary>
    RandomWalk,
    /// <summary>Sun et al. 2004: the matte's gradient from the image's, through a Poisson equation; needs smooth F and B.</summary>
    Poisson,
    /// <summary>Aksoy et al. 2017: colour-mixture, known-to-unknown, intra-unknown and local flows in one system.</summary>
    InformationFlow,
}

public sealed record RefineMatteOptions
{
    public MattingMethod Method { get; init; } = MattingMethod.ClosedForm;
    public ClosedFormOptions ClosedForm { get; init; } = new();
    public BayesianMattingOptions Bayesian { get; init; } = new();
    public RandomWalkOptions RandomWalk { get; init; } = new();
    public PoissonMattingOptions Poisson { get; init; } = new();
    public InformationFlowOptions InformationFlow { get; init; } = new();
    public ForegroundOptions Foreground { get; init; } = new();
}

/// <summary>
/// The "Refine Matte" operation every host shares: trimap (given, or built from a hard mask) → alpha (by the chosen
/// method) → foreground colours.
/// </summary>
public static class RefineMatte
{
    public static MatteResult FromTrimap(ColorImage image, Trimap trimap, RefineMatteOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new RefineMatteOptions();
        var scope = ProgressScope.For(progress);
        var alpha = EstimateAlpha(image, trimap, options, scope.Slice(0, 0.85), cancellationToken);
        // Decontamination uses the same multi-level estimate for both methods (Bayesian's own per-pixel F is noisier).
        var colors = ForegroundEstimation.EstimateForeground(image, alpha, options.Foreground, cancellationToken);
        scope.Report(1);
        return new MatteResult(alpha, colors, trimap);
    }

    /// <summary>Mask → automatic trimap (an unknown band along the mask's edge) → matte.</summary>
    public static MatteResult FromMask(ColorImage image, Mask mask, TrimapBandOptions? band = null, RefineMatteOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageGuard.SameSize("mask", mask.Width, mask.Height, image.Width, image.Height);
        if (mask.IsEmpty) throw new SegmentationInputException("The mask is empty: there is no object whose edge could be matted.");
        var trimap = TrimapBuilder.FromMask(mask, band);
        return FromTrimap(image, trimap, options, progress, cancellationToken);
    }

    /// <summary>
    /// GrabCut's own soft edge: border matting of a hard segmentation (a sigmoid profile along its contour), then
    /// foreground colours. Cheaper than matting a band, and needs no trimap.
    /// </summary>
    public static MatteResult FromBorder(ColorImage image, Mask segmentation, BorderMattingOptions? border = null, ForegroundOptions? foreground = null,
        CancellationToken cancellationToken = default)
    {
        var matte = BorderMatting.Estimate(image, segmentation, border, cancellationToken);
        var colors = ForegroundEstimation.EstimateForeground(image, matte.Alpha, foreground, cancellationToken);
        return new MatteResult(matte.Alpha, colors, matte.Band);
    }

    /// <summary>The alpha matte alone, by the chosen method.</summary>
    public static AlphaMatte EstimateAlpha(ColorImage image, Trimap trimap, RefineMatteOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new RefineMatteOptions();
        return options.Method switch
        {
            MattingMethod.ClosedForm => ClosedFormMatting.Estimate(image, trimap, options.ClosedForm, progress, cancellationToken).Alpha,
            MattingMethod.Bayesian => BayesianMatting.Estimate(image, trimap, options.Bayesian, progress, cancellationToken).Alpha,
            MattingMethod.RandomWalk => RandomWalkMatting.Estimate(image, trimap, options.RandomWalk, progress, cancellationToken),
            MattingMethod.Poisson => PoissonMatting.Estimate(image, trimap, options.Poisson, progress, cancellationToken),
            MattingMethod.InformationFlow => InformationFlowMatting.Estimate(image, trimap, options.InformationFlow, progress, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown matting method."),
        };
    }
}
