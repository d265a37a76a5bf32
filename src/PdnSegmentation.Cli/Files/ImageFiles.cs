using System.Runtime.InteropServices;
using OpenCvSharp;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Files;

/// <summary>Image files in and out, through OpenCV's codecs. The only place the CLI touches pixel formats.</summary>
public static class ImageFiles
{
    /// <summary>The pixel limit files are checked against before decoding, unless a command is given another.</summary>
    public const long DefaultMaxPixels = 250_000_000;

    /// <summary>Reads an image as shown (EXIF orientation applied) as 8-bit BGRA (grey, BGR, 16-bit are converted).</summary>
    public static ColorImage ReadColor(string path, string what = "image", long maxPixels = DefaultMaxPixels)
    {
        using var mat = Decode(path, ImreadModes.Unchanged, what, maxPixels);
        using var eight = ToEightBit(mat);
        using var bgra = new Mat();
        switch (eight.Channels())
        {
            case 1: Cv2.CvtColor(eight, bgra, ColorConversionCodes.GRAY2BGRA); break;
            case 3: Cv2.CvtColor(eight, bgra, ColorConversionCodes.BGR2BGRA); break;
            case 4: eight.CopyTo(bgra); break;
            default: throw new InputFileException($"Cannot use the {what} '{path}': {eight.Channels()} channels are not supported.");
        }
        var image = new ColorImage(bgra.Width, bgra.Height);
        CopyRows(bgra, image.Data, image.Width * 4, image.Stride);
        return image;
    }

    /// <summary>Reads a single-channel 8-bit picture (mask, trimap) as shown; colour files are converted to grey.</summary>
    public static (int Width, int Height, byte[] Values) ReadGray(string path, string what, long maxPixels = DefaultMaxPixels)
    {
        using var mat = Decode(path, ImreadModes.Grayscale | ImreadModes.IgnoreOrientation, what, maxPixels);
        var values = new byte[mat.Width * mat.Height];
        CopyRows(mat, values, mat.Width, mat.Width);
        return (mat.Width, mat.Height, values);
    }

    /// <summary>Reads a mask: any non-zero pixel is set.</summary>
    public static Mask ReadMask(string path, string what, int expectedWidth, int expectedHeight, long maxPixels = DefaultMaxPixels)
    {
        var (w, h, values) = ReadGray(path, what, maxPixels);
        ImageGuard.SameSize($"{what} '{Path.GetFileName(path)}'", w, h, expectedWidth, expectedHeight);
        return Mask.FromBytes(w, h, values);
    }

    /// <summary>
    /// Reads a free-form selection as Paint.NET hands one to an effect: a grey picture of the selection's coverage, a pixel
    /// inside where it is at least half white (128 or more), so an antialiased edge counts as Paint.NET counts it.
    /// </summary>
    public static Mask ReadSelection(string path, string what, int expectedWidth, int expectedHeight, long maxPixels = DefaultMaxPixels)
    {
        var (w, h, values) = ReadGray(path, what, maxPixels);
        ImageGuard.SameSize($"{what} '{Path.GetFileName(path)}'", w, h, expectedWidth, expectedHeight);
        return Mask.FromCoverage(w, h, values);
    }

    /// <summary>The header of an image file (format, stored size, orientation), checked as <see cref="ReadColor"/> checks it.</summary>
    public static ImageHeader ReadHeader(string path, string what = "image", long maxPixels = DefaultMaxPixels) =>
        CheckedHeader(path, ReadBytes(path, what), what, maxPixels);

    /// <summary>Encodes BGRA pixels; the extension picks the format, which must keep transparency.</summary>
    public static byte[] EncodeColor(ColorImage image, string path)
    {
        string ext = CheckColorOutputName(path);
        using var mat = new Mat(image.Height, image.Width, MatType.CV_8UC4);
        CopyRows(image.Data, mat, image.Width * 4, image.Stride);
        return Encode(ext, mat, path);
    }

    /// <summary>Checks, before any work, that the name's format keeps transparency; returns the extension.</summary>
    public static string CheckColorOutputName(string path)
    {
        string ext = Extension(path);
        if (ext is not (".png" or ".tif" or ".tiff" or ".webp"))
            throw new UsageException($"'{path}': a cut-out needs a format with transparency; use .png (or .tif, .webp).");
        return ext;
    }

    /// <summary>Checks, before any work, that the name's format is lossless; returns the extension.</summary>
    public static string CheckGrayOutputName(string path)
    {
        string ext = Extension(path);
        if (ext is not (".png" or ".tif" or ".tiff" or ".bmp" or ".pgm"))
            throw new UsageException($"'{path}': masks must be stored losslessly; use .png.");
        return ext;
    }

    public static byte[] EncodeGray(int width, int height, byte[] values, string path)
    {
        string ext = CheckGrayOutputName(path);
        using var mat = new Mat(height, width, MatType.CV_8UC1);
        CopyRows(values, mat, width, width);
        return Encode(ext, mat, path);
    }

    private static byte[] Encode(string ext, Mat mat, string path)
    {
        if (!Cv2.ImEncode(ext, mat, out byte[] bytes))
            throw new UsageException($"'{path}': this program cannot write {ext} files; use .png.");
        return bytes;
    }

    private static string Extension(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext.Length == 0) throw new UsageException($"'{path}' has no extension; name the output e.g. result.png.");
        return ext;
    }

    private static byte[] ReadBytes(string path, string what)
    {
        if (Directory.Exists(path))
            throw new InputFileException($"Cannot read the {what} '{path}': it is a folder, not an image file.");
        if (!File.Exists(path))
            throw new InputFileException($"Cannot read the {what} '{path}': the file does not exist.");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new InputFileException($"Cannot read the {what} '{path}': {e.Message}"); }
    }

    private static ImageHeader CheckedHeader(string path, ReadOnlySpan<byte> bytes, string what, long maxPixels)
    {
        if (bytes.Length == 0)
            throw new InputFileException($"Cannot read the {what} '{path}': the file is empty (0 bytes); was it saved or downloaded completely?");
        ImageHeader header;
        try { header = ImageHeaders.Read(bytes); }
        catch (ImageHeaderException e) { throw new InputFileException($"Cannot read the {what} '{path}': {e.Message}."); }
        if (header.PixelCount > maxPixels)
            throw new InputFileException($"Cannot read the {what} '{path}': it is {header.Width} × {header.Height} ({header.PixelCount / 1e6:0.#} megapixels), " +
                                         $"more than the limit of {maxPixels / 1e6:0.###}; if the file is genuine, raise the limit with --max-megapixels.");
        return header;
    }

    private static Mat Decode(string path, ImreadModes mode, string what, long maxPixels)
    {
        byte[] bytes = ReadBytes(path, what);
        var header = CheckedHeader(path, bytes, what, maxPixels);
        ImageHeaders.ClearTiffOrientation(bytes, header);
        // Decoding from memory avoids OpenCV's path handling (non-ASCII names on Windows).
        Mat mat;
        try { mat = Cv2.ImDecode(bytes, mode); }
        catch (OpenCVException e)
        {
            // Some codecs throw instead of returning nothing, e.g. on a damaged file or one too large to decode.
            throw new InputFileException($"Cannot read the {what} '{path}': it is damaged or too large to decode ({e.ErrMsg}).");
        }
        if (mat.Empty() || mat.Width != header.Width || mat.Height != header.Height)
        {
            mat.Dispose();
            throw new InputFileException($"Cannot read the {what} '{path}': it is damaged (the {header.Format.ToString().ToUpperInvariant()} decoder could not read its pixels).");
        }
        return Orient(mat, header.Orientation);
    }

    /// <summary>Turns the stored pixels to the displayed frame (the orientation tag's meaning, as viewers apply it).</summary>
    private static Mat Orient(Mat stored, ExifOrientation orientation)
    {
        if (orientation == ExifOrientation.Normal) return stored;
        var shown = new Mat();
        using (stored)
        {
            switch (orientation)
            {
                case ExifOrientation.FlipHorizontal: Cv2.Flip(stored, shown, FlipMode.Y); break;
                case ExifOrientation.Rotate180: Cv2.Rotate(stored, shown, RotateFlags.Rotate180); break;
                case ExifOrientation.FlipVertical: Cv2.Flip(stored, shown, FlipMode.X); break;
                case ExifOrientation.Transpose: Cv2.Transpose(stored, shown); break;
                case ExifOrientation.Rotate90Clockwise: Cv2.Rotate(stored, shown, RotateFlags.Rotate90Clockwise); break;
                case ExifOrientation.Transverse: Cv2.Rotate(stored, shown, RotateFlags.Rotate90Clockwise); Cv2.Flip(shown, shown, FlipMode.X); break;
                case ExifOrientation.Rotate90CounterClockwise: Cv2.Rotate(stored, shown, RotateFlags.Rotate90Counterclockwise); break;
            }
        }
        return shown;
    }

    private static Mat ToEightBit(Mat mat)
    {
        if (mat.Depth() == MatType.CV_8U) return mat.Clone();
        var eight = new Mat();
        double scale = mat.Depth() == MatType.CV_16U ? 1.0 / 257 : mat.Depth() is 5 or 6 ? 255.0 : 1.0; // float images are 0..1
        mat.ConvertTo(eight, MatType.MakeType(MatType.CV_8U, mat.Channels()), scale);
        return eight;
    }

    private static unsafe void CopyRows(Mat source, Span<byte> destination, int rowBytes, int destinationStride)
    {
        int rows = source.Rows;
        for (int y = 0; y < rows; y++)
            new ReadOnlySpan<byte>((byte*)source.Ptr(y), rowBytes).CopyTo(destination.Slice(y * destinationStride, rowBytes));
    }

    private static unsafe void CopyRows(ReadOnlySpan<byte> source, Mat destination, int rowBytes, int sourceStride)
    {
        int rows = destination.Rows;
        for (int y = 0; y < rows; y++)
            source.Slice(y * sourceStride, rowBytes).CopyTo(new Span<byte>((byte*)destination.Ptr(y), rowBytes));
    }
}
