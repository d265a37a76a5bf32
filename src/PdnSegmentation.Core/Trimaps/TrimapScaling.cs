using PdnSegmentation.Imaging;

namespace PdnSegmentation.Trimaps;

/// <summary>A photo and its painted trimap resampled together (the benchmarks' and tests' camera-size inputs).</summary>
public static class TrimapScaling
{
    /// <summary>
    /// The photo resampled to about <paramref name="megapixels"/> (<see cref="PixelMaps.Resize"/>), and its trimap
    /// enlarged by nearest neighbour from the painted grey value at each source pixel (0 background, 255 foreground,
    /// anything else unknown), so that labels stay labels.
    /// </summary>
    /// <param name="grey">The painted grey value at a source pixel (x, y).</param>
    public static (ColorImage Image, Trimap Trimap) Resample(ColorImage photo, double megapixels, Func<int, int, byte> grey)
    {
        if (!(megapixels > 0)) throw new ArgumentOutOfRangeException(nameof(megapixels), megapixels, "Give a positive size.");
        double factor = Math.Sqrt(megapixels * 1e6 / photo.PixelCount);
        int w = (int)Math.Round(photo.Width * factor), h = (int)Math.Round(photo.Height * factor);
        var labels = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                labels[y * w + x] = grey(Math.Min(photo.Width - 1, (int)(x / factor)), Math.Min(photo.Height - 1, (int)(y / factor)));
        return (PixelMaps.Resize(photo, w, h), Trimap.FromGray(w, h, labels));
    }
}
