using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Segmentation;

public sealed record GrabCutOptions
{
    /// <summary>Most iterations of (assign components, learn GMMs, min cut).</summary>
    public int MaxIterations { get; init; } = 5;
    /// <summary>
    /// Stop early once an iteration lowers the energy by less than this fraction of it. 0 runs exactly
    /// <see cref="MaxIterations"/> iterations (used for like-for-like benchmarks).
    /// </summary>
    public double ConvergenceTolerance { get; init; } = 1e-3;
    /// <summary>Smoothness weight γ (Rother et al. use 50).</summary>
    public double Gamma { get; init; } = 50;
    /// <summary>Components per colour model (K).</summary>
    public int ComponentsPerModel { get; init; } = 5;
    public GmmInitialization Initialization { get; init; } = GmmInitialization.KMeans;
    public GrabCutDataTerm DataTerm { get; init; } = GrabCutDataTerm.MixtureDensity;
    /// <summary>Added to covariance diagonals (8-bit colour units²) so flat regions stay non-singular.</summary>
    public double CovarianceRidge { get; init; } = 0.01;
    /// <summary>At most this many pixels per model feed the initial clustering (a deterministic stride sample).</summary>
    public int MaxInitializationSamples { get; init; } = 100_000;
    public int Seed { get; init; } = 1;
    /// <summary>
    /// Graphs with more changeable pixels than this are solved coarse-to-fine (Lombaert et al., "A multilevel
    /// banded graph cuts method for fast image segmentation", ICCV 2005): the iterations run on a downsampled
    /// proxy of at most this many pixels, then a full-resolution cut refines a band around the proxy's boundary.
    /// Keeps time near-linear in the pixel count; 0 always solves at full resolution.
    /// </summary>
    public int MultilevelThreshold { get; init; } = 1_000_000;
    /// <summary>Full-resolution iterations after a multilevel proxy solve.</summary>
    public int MultilevelRefinementIterations { get; init; } = 2;
    /// <summary>Threads for the per-pixel passes; the max-flow itself is sequential.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "At least one iteration is needed.");
        if (ComponentsPerModel is < 1 or > 15) throw new ArgumentOutOfRangeException(nameof(ComponentsPerModel), ComponentsPerModel, "Components per model must be 1..15.");
        if (!(Gamma > 0)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "γ must be positive.");
        if (ConvergenceTolerance < 0) throw new ArgumentOutOfRangeException(nameof(ConvergenceTolerance));
        if (MaxInitializationSamples < ComponentsPerModel) throw new ArgumentOutOfRangeException(nameof(MaxInitializationSamples));
        if (MultilevelThreshold is < 0 or (> 0 and < 1024)) throw new ArgumentOutOfRangeException(nameof(MultilevelThreshold), MultilevelThreshold, "Use 0 (off) or at least 1024 pixels.");
        if (MultilevelRefinementIterations < 1) throw new ArgumentOutOfRangeException(nameof(MultilevelRefinementIterations));
    }
}

/// <summary>How a colour model scores a pixel.</summary>
public enum GrabCutDataTerm
{
    /// <summary>−log of the whole mixture's density, Σ over components (as OpenCV's grabCut).</summary>
    MixtureDensity,
    /// <summary>The best single component: min_k −log π_k N_k (the paper's form).</summary>
    BestComponent,
}

/// <summary>
/// What the user told GrabCut: a rectangle or a free-form region that contains the object (everything outside is
/// definite background), plus optional brush hints for definite foreground and definite background.
/// </summary>
public sealed record GrabCutInput
{
    public PixelRect? Rectangle { get; init; }
    public Mask? Region { get; init; }
    public Mask? DefiniteForeground { get; init; }
    public Mask? DefiniteBackground { get; init; }
    /// <summary>Where the changeable pixels start on the object side; null = all of them (Rother et al.).</summary>
    public Mask? InitialObject { get; init; }
    /// <summary>Evidence beyond colour added to every changeable pixel's data term (a deep model's probability, clicks); null = none.</summary>
    public ObjectPrior? Prior { get; init; }

    public static GrabCutInput FromRectangle(PixelRect rectangle) => new() { Rectangle = rectangle };
    public static GrabCutInput FromRegion(Mask region) => new() { Region = region };

    public GrabCutInput WithHints(Mask? definiteForeground, Mask? definiteBackground) =>
        this with { DefiniteForeground = definiteForeground, DefiniteBackground = definiteBackground };

    /// <summary>
    /// The bounding box of the selection (the free-form region, else the rectangle) within a <paramref name="width"/> ×
    /// <paramref name="height"/> image; a selection that is missing, empty, of another size or outside the image is refused
    /// with a message saying what to do — the one check every cut of a selection makes before any work.
    /// </summary>
    public PixelRect SelectionBounds(int width, int height)
    {
        if (Region is { } region)
        {
            ImageGuard.SameSize("selection mask", region.Width, region.Height, width, height);
            var bounds = region.Bounds();
            if (bounds.IsEmpty)
                throw new SegmentationInputException("The selection is empty: select the object (a rectangle or lasso around it) and run again.");
            return bounds;
        }
        if (Rectangle is { } rect)
        {
            if (rect.IsEmpty)
                throw new SegmentationInputException($"The rectangle {rect} is empty: give it a positive width and height.");
            var clipped = rect.Intersect(new PixelRect(0, 0, width, height));
            if (clipped.IsEmpty)
                throw new SegmentationInputException($"The rectangle {rect} lies outside the {width}×{height} image: give a rectangle that overlaps it.");
            return clipped;
        }
        throw new SegmentationInputException("GrabCut needs a rectangle or a selection around the object.");
    }
}

/// <param name="Foreground">The object: set where the pixel belongs to the cut-out.</param>
/// <param name="EnergyPerIteration">The GrabCut energy after each iteration's min cut; never increases.</param>
public sealed record GrabCutResult(Mask Foreground, IReadOnlyList<double> EnergyPerIteration, int Iterations, bool Converged);
