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
    /// <summary>Added to covariance diagonals (8-bit colour units²) so flat regions stay non-singular.</summary>
    public double CovarianceRidge { get; init; } = 0.01;
    /// <summary>At most this many pixels per model feed the initial clustering (a deterministic stride sample).</summary>
    public int MaxInitializationSamples { get; init; } = 100_000;
    public int Seed { get; init; } = 1;
    /// <summary>Threads for the per-pixel passes; the max-flow itself is sequential.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "At least one iteration is needed.");
        if (ComponentsPerModel is < 1 or > 15) throw new ArgumentOutOfRangeException(nameof(ComponentsPerModel), ComponentsPerModel, "Components per model must be 1..15.");
        if (!(Gamma > 0)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "γ must be positive.");
        if (ConvergenceTolerance < 0) throw new ArgumentOutOfRangeException(nameof(ConvergenceTolerance));
        if (MaxInitializationSamples < ComponentsPerModel) throw new ArgumentOutOfRangeException(nameof(MaxInitializationSamples));
    }
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

    public static GrabCutInput FromRectangle(PixelRect rectangle) => new() { Rectangle = rectangle };
    public static GrabCutInput FromRegion(Mask region) => new() { Region = region };

    public GrabCutInput WithHints(Mask? definiteForeground, Mask? definiteBackground) =>
        this with { DefiniteForeground = definiteForeground, DefiniteBackground = definiteBackground };
}

/// <param name="Foreground">The object: set where the pixel belongs to the cut-out.</param>
/// <param name="EnergyPerIteration">The GrabCut energy after each iteration's min cut; never increases.</param>
public sealed record GrabCutResult(Mask Foreground, IReadOnlyList<double> EnergyPerIteration, int Iterations, bool Converged);
