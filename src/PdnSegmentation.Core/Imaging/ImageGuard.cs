namespace PdnSegmentation.Imaging;

/// <summary>Argument checks shared by the image types, so every host gets the same message.</summary>
public static class ImageGuard
{
    /// <summary>The largest side accepted; far above any camera, below int overflow in per-pixel indexing.</summary>
    public const int MaxSide = 65_536;

    public static void Size(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Image size {width}×{height} is empty; width and height must be positive.");
        if (width > MaxSide || height > MaxSide || (long)width * height > int.MaxValue / 8)
            throw new ArgumentException($"Image size {width}×{height} is too large for the engine.");
    }

    /// <summary>Throws <see cref="ImageSizeMismatchException"/> naming <paramref name="what"/> when sizes differ.</summary>
    public static void SameSize(string what, int width, int height, int expectedWidth, int expectedHeight)
    {
        if (width != expectedWidth || height != expectedHeight)
            throw new ImageSizeMismatchException(
                $"The {what} is {width}×{height} but the image is {expectedWidth}×{expectedHeight}; they must be the same size.");
    }
}

/// <summary>An input (mask, trimap, hint layer) does not have the image's size.</summary>
public sealed class ImageSizeMismatchException(string message) : SegmentationInputException(message);
