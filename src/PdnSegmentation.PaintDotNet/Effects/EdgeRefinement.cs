using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>The "edge quality" choice every cutting effect offers: a hard mask → alpha and, for soft edges, clean colours.</summary>
internal static class EdgeRefinement
{
    /// <param name="matting">An installed deep matting model for the refined matte's band; null for closed-form.</param>
    public static (float[] Alpha, ColorImage? Colors) Apply(ColorImage image, Mask cut, EdgeQuality quality, int band, CancellationToken cancellationToken,
        DeepMatting? matting = null)
    {
        if (cut.IsEmpty) throw new SegmentationInputException("Nothing was found to cut out: add object hints or strokes on the object and run again.");
        var bandOptions = new TrimapBandOptions { BandWidth = band };
        return quality switch
        {
            EdgeQuality.BorderMatting => FromMatte(RefineMatte.FromBorder(image, cut, cancellationToken: cancellationToken)),
            EdgeQuality.RefinedMatte when matting is not null => FromMatte(MattingAnything.FromMask(image, cut, null, bandOptions, null, null, cancellationToken, matting)),
            EdgeQuality.RefinedMatte => FromMatte(RefineMatte.FromMask(image, cut, bandOptions, cancellationToken: cancellationToken)),
            _ => (AlphaMatte.FromMask(cut).Values.ToArray(), null),
        };
    }

    internal static (float[] Alpha, ColorImage? Colors) FromMatte(MatteResult matte) => (matte.Alpha.Values.ToArray(), matte.Foreground);
}
