using PdnSegmentation.Imaging;

namespace PdnSegmentation.Trimaps;

public sealed record TrimapBandOptions
{
    /// <summary>Half-width of the unknown band in pixels, on each side of the mask's edge.</summary>
    public double BandWidth { get; init; } = 8;
    /// <summary>
    /// How much wider the band grows where <see cref="TrimapBuilder.FromMask"/>'s uncertainty is 1: the local
    /// half-width is BandWidth × (1 + UncertaintyGain × uncertainty).
    /// </summary>
    public double UncertaintyGain { get; init; } = 2;
}

/// <summary>
/// Builds a trimap from a hard mask (a GrabCut or Segment Anything result): pixels within the band of the mask's
/// edge become unknown, the rest keep the mask's side.
/// </summary>
public static class TrimapBuilder
{
    /// <param name="uncertainty">
    /// Optional per-pixel edge uncertainty in [0, 1] (e.g. how close a model's probability is to ½): the band
    /// widens there, so soft edges such as hair get room while crisp edges stay tight.
    /// </param>
    public static Trimap FromMask(Mask mask, TrimapBandOptions? options = null, ReadOnlySpan<float> uncertainty = default)
    {
        ArgumentNullException.ThrowIfNull(mask);
        options ??= new TrimapBandOptions();
        if (!(options.BandWidth >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "The band width must be 0 or more pixels.");
        int w = mask.Width, h = mask.Height;
        if (!uncertainty.IsEmpty && uncertainty.Length != w * h)
            throw new ImageSizeMismatchException($"The uncertainty map has {uncertainty.Length} values but the mask is {w}×{h}.");

        // Distance of every pixel to the nearest pixel of the other side (exact Euclidean, OpenCV's DT).
        var inside = DistanceToOtherSide(mask, objectSide: true);
        var outside = DistanceToOtherSide(mask, objectSide: false);
        var trimap = new Trimap(w, h);
        var bits = mask.Bits;
        for (int i = 0; i < bits.Length; i++)
        {
            double band = options.BandWidth * (1 + (uncertainty.IsEmpty ? 0 : options.UncertaintyGain * Math.Clamp(uncertainty[i], 0f, 1f)));
            float distance = bits[i] != 0 ? inside[i] : outside[i];
            // A pixel whose own centre is within the band of the edge (half a pixel from the crack between sides).
            bool unknown = distance - 0.5 < band;
            trimap.SetIndex(i, unknown ? TrimapLabel.Unknown : bits[i] != 0 ? TrimapLabel.Foreground : TrimapLabel.Background);
        }
        return trimap;
    }

    /// <summary>Distance of every pixel to the nearest pixel on the other side of the mask.</summary>
    private static float[] DistanceToOtherSide(Mask mask, bool objectSide)
    {
        var bits = mask.Bits;
        var otherSide = new byte[bits.Length];
        for (int i = 0; i < bits.Length; i++) otherSide[i] = (bits[i] != 0) != objectSide ? (byte)1 : (byte)0;
        return PixelMaps.DistanceToTargets(otherSide, mask.Width, mask.Height);
    }
}
