using OpenCvSharp;
using PaintDotNet.Imaging;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Menu icons from the embedded PNGs (icons/*.png), decoded with OpenCV — the engine's codec, available in both builds
/// — into a Paint.NET bitmap, so no System.Drawing type is needed (the facade build has none).
/// </summary>
internal static class EffectIcons
{
    public static unsafe IBitmapSource Load(string effect, int size = 32)
    {
        using var stream = typeof(EffectIcons).Assembly.GetManifestResourceStream($"PdnSegmentation.Icons.{effect}-{size}.png")
            ?? throw new InvalidOperationException($"The icon {effect}-{size}.png is not embedded in the plugin.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
        using var bgra = decoded.Channels() == 4 ? decoded.Clone() : decoded.CvtColor(ColorConversionCodes.BGR2BGRA);
        using var factory = ImagingFactory.CreateRef();
        var bitmap = factory.CreateBitmap<ColorBgra32>(bgra.Width, bgra.Height);
        using (var target = bitmap.Lock(BitmapLockOptions.Write))
        {
            int rows = bgra.Rows, cols = bgra.Cols;
            for (int y = 0; y < rows; y++)
                new ReadOnlySpan<byte>((byte*)bgra.Ptr(y), cols * 4).CopyTo(new Span<byte>((byte*)target.Buffer + (nint)y * target.BufferStride, cols * 4));
        }
        return bitmap;
    }
}
