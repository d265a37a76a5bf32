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

    /// <summary>Keep a definite core in every part of the mask that the band would swallow (see <see cref="TrimapBuilder"/>).</summary>
    public bool KeepCores { get; init; } = true;
}

/// <summary>
/// Builds a trimap from a hard mask (a GrabCut or Segment Anything result): pixels within the band of the mask's
/// edge become unknown, the rest keep the mask's side; a part of the mask the band would swallow keeps its core.
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
        if (options.KeepCores)
        {
            KeepCores(trimap, bits, inside, objectSide: true);
            KeepCores(trimap, bits, outside, objectSide: false);
        }
        return trimap;
    }

    /// <summary>
    /// A band wider than a part of the mask (a small object, a gap between branches, a hole in a wicker ball) would leave
    /// matting no definite pixel of that part, and the matte then fills it from the other side. Every connected part of
    /// the side with at least <see cref="MinCoreArea"/> pixels that the band swallowed keeps its inner half (the pixels at
    /// least half its greatest depth from the edge) as definite.
    /// </summary>
    private static void KeepCores(Trimap trimap, ReadOnlySpan<byte> bits, float[] depth, bool objectSide)
    {
        int w = trimap.Width, h = trimap.Height;
        var side = new byte[bits.Length];
        for (int i = 0; i < side.Length; i++) side[i] = (bits[i] != 0) == objectSide ? (byte)1 : (byte)0;
        // The object's parts are eight-connected; the background's four-connected (what an eight-connected object encloses).
        var (labels, count) = PixelMaps.ConnectedComponents(side, w, h, eightConnected: objectSide);
        if (count == 0) return;
        var area = new int[count + 1];
        var deepest = new float[count + 1];
        var hasDefinite = new bool[count + 1];
        var label = objectSide ? TrimapLabel.Foreground : TrimapLabel.Background;
        var current = trimap.Labels;
        for (int i = 0; i < labels.Length; i++)
        {
            int k = labels[i];
            if (k == 0) continue;
            area[k]++;
            deepest[k] = Math.Max(deepest[k], depth[i]);
            if (current[i] == (byte)label) hasDefinite[k] = true;
        }
        for (int i = 0; i < labels.Length; i++)
        {
            int k = labels[i];
            if (k == 0 || hasDefinite[k] || area[k] < MinCoreArea) continue;
            if (depth[i] >= 0.5f * deepest[k]) trimap.SetIndex(i, label);
        }
    }

    /// <summary>Parts of the mask smaller than this (in pixels) are left to the matte: specks, not structure.</summary>
    public const int MinCoreArea = 16;

    /// <summary>Distance of every pixel to the nearest pixel on the other side of the mask.</summary>
    private static float[] DistanceToOtherSide(Mask mask, bool objectSide)
    {
        var bits = mask.Bits;
        var otherSide = new byte[bits.Length];
        for (int i = 0; i < bits.Length; i++) otherSide[i] = (bits[i] != 0) != objectSide ? (byte)1 : (byte)0;
        return PixelMaps.DistanceToTargets(otherSide, mask.Width, mask.Height);
    }
}
