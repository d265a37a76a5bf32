using PdnSegmentation.Imaging;

namespace PdnSegmentation.Trimaps;

/// <summary>
/// Checks a user's trimap before matting: same size as the image, and all three regions present — without
/// foreground or background there is nothing to anchor the matte, without unknown pixels nothing to solve.
/// </summary>
public static class TrimapValidator
{
    public static void Validate(Trimap trimap, int imageWidth, int imageHeight)
    {
        ArgumentNullException.ThrowIfNull(trimap);
        ImageGuard.SameSize("trimap", trimap.Width, trimap.Height, imageWidth, imageHeight);
        if (trimap.Count(TrimapLabel.Foreground) == 0)
            throw new SegmentationInputException(
                "The trimap has no foreground: paint the parts that are surely the object white (255).");
        if (trimap.Count(TrimapLabel.Background) == 0)
            throw new SegmentationInputException(
                "The trimap has no background: paint the parts that are surely not the object black (0).");
        if (trimap.Count(TrimapLabel.Unknown) == 0)
            throw new SegmentationInputException(
                "The trimap has no unknown region, so there is nothing to refine: paint grey over the edges (hair, fur, blur) you want matted.");
    }
}
