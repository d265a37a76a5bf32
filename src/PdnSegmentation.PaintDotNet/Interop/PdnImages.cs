using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.PaintDotNet.Interop;

/// <summary>
/// Paint.NET bitmaps to engine images and back. Paint.NET's ColorBgra32 is the engine's pixel layout (B, G, R, A,
/// straight alpha), so layers are copied row by row without conversion.
/// </summary>
internal static class PdnImages
{
    public static unsafe ColorImage ReadLayer(IEffectInputBitmap<ColorBgra32> bitmap)
    {
        var size = bitmap.Size;
        var image = new ColorImage(size.Width, size.Height);
        fixed (byte* p = image.Data)
            bitmap.CopyPixels(p, image.Stride, (uint)image.Data.Length, (RectInt32?)new RectInt32(0, 0, size.Width, size.Height));
        return image;
    }

    /// <summary>Per-pixel selection coverage 0..255.</summary>
    public static unsafe byte[] ReadCoverage(IEffectInputBitmap<ColorAlpha8> mask)
    {
        var size = mask.Size;
        var coverage = new byte[size.Width * size.Height];
        fixed (byte* p = coverage)
            mask.CopyPixels(p, size.Width, (uint)coverage.Length, (RectInt32?)new RectInt32(0, 0, size.Width, size.Height));
        return coverage;
    }

    /// <summary>
    /// True when the coverage is 255 everywhere: with no active selection Paint.NET reports the whole canvas as selected,
    /// so this is also "nothing is selected".
    /// </summary>
    public static bool IsWholeCanvas(byte[] coverage) => coverage.AsSpan().IndexOfAnyExcept((byte)255) < 0;

    /// <summary>The selected pixels: coverage at least one half.</summary>
    public static Mask SelectedPixels(byte[] coverage, int width, int height) => Mask.FromCoverage(width, height, coverage);

    /// <summary>Pixels painted on a hints or strokes layer: at least half opaque.</summary>
    public static Mask PaintedPixels(ColorImage layer)
    {
        var mask = new Mask(layer.Width, layer.Height);
        var bits = mask.Bits;
        for (int y = 0; y < layer.Height; y++)
        {
            var row = layer.Row(y);
            for (int x = 0; x < layer.Width; x++) bits[y * layer.Width + x] = row[4 * x + 3] >= 128 ? (byte)1 : (byte)0;
        }
        return mask;
    }

    /// <summary>Copies <paramref name="bounds"/> of a full-size BGRA image into an effect's output tile.</summary>
    public static unsafe void WriteTile(ColorImage image, IBitmapEffectOutput output)
    {
        var bounds = output.Bounds;
        using var target = output.LockBgra32();
        var region = target.AsRegionPtr();
        for (int y = 0; y < bounds.Height; y++)
        {
            var source = image.Row(bounds.Y + y).Slice(bounds.X * 4, bounds.Width * 4);
            source.CopyTo(new Span<byte>(region.Rows[y].Ptr, bounds.Width * 4));
        }
    }
}
