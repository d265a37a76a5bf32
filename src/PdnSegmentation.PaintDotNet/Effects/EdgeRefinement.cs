using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>The "edge quality" choice every cutting effect offers: a hard mask → alpha and, for soft edges, clean colours.</summary>
internal static class EdgeRefinement
{
    public static (float[] Alpha, ColorImage? Colors) Apply(ColorImage image, Mask cut, EdgeQuality quality, int band, CancellationToken cancellationToken)
    {
        if (cut.IsEmpty) throw new SegmentationInputException("Nothing was found to cut out: add object hints or strokes on the object and run again.");
        return quality switch
        {
            EdgeQuality.BorderMatting => FromMatte(RefineMatte.FromBorder(image, cut, cancellationToken: cancellationToken)),
            EdgeQuality.RefinedMatte => FromMatte(RefineMatte.FromMask(image, cut, new TrimapBandOptions { BandWidth = band }, cancellationToken: cancellationToken)),
            _ => (AlphaMatte.FromMask(cut).Values.ToArray(), null),
        };
    }

    private static (float[], ColorImage?) FromMatte(MatteResult matte) => (matte.Alpha.Values.ToArray(), matte.Foreground);
}
