using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using OpenCvSharp;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Tests;

/// <summary>Builds the image files the reading tests need, byte by byte where no encoder writes them.</summary>
internal static class ImageFileMaker
{
    /// <summary>
    /// The stored pixels that a viewer shows as <paramref name="shown"/> under <paramref name="orientation"/>, from the
    /// EXIF definition of each value (where the stored row 0 and column 0 appear), independently of the reader's code.
    /// </summary>
    public static ColorImage Stored(ColorImage shown, ExifOrientation orientation)
    {
        int w = shown.Width, h = shown.Height;
        bool quarter = orientation >= ExifOrientation.Transpose;
        var stored = quarter ? new ColorImage(h, w) : new ColorImage(w, h);
        for (int y = 0; y < stored.Height; y++)
            for (int x = 0; x < stored.Width; x++)
            {
                (int X, int Y) at = orientation switch
                {
                    ExifOrientation.Normal => (x, y),
                    ExifOrientation.FlipHorizontal => (w - 1 - x, y),             // row 0 top, column 0 right
                    ExifOrientation.Rotate180 => (w - 1 - x, h - 1 - y),          // row 0 bottom, column 0 right
                    ExifOrientation.FlipVertical => (x, h - 1 - y),               // row 0 bottom, column 0 left
                    ExifOrientation.Transpose => (y, x),                          // row 0 left, column 0 top
                    ExifOrientation.Rotate90Clockwise => (w - 1 - y, x),          // row 0 right, column 0 top
                    ExifOrientation.Transverse => (w - 1 - y, h - 1 - x),         // row 0 right, column 0 bottom
                    ExifOrientation.Rotate90CounterClockwise => (y, h - 1 - x),   // row 0 left, column 0 bottom
                    _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
                };
                stored[x, y] = shown[at.X, at.Y];
            }
        return stored;
    }

    /// <summary>EXIF data in TIFF layout with one tag, the orientation (big- or little-endian).</summary>
    public static byte[] Exif(ExifOrientation orientation, bool bigEndian = true)
    {
        var tiff = new byte[26];
        (bigEndian ? "MM\0*"u8 : "II*\0"u8).CopyTo(tiff);
        void Write(int at, uint value, int size)
        {
            for (int i = 0; i < size; i++)
                tiff[at + (bigEndian ? size - 1 - i : i)] = (byte)(value >> (8 * i));
        }
        Write(4, 8, 4);      // the directory's offset
        Write(8, 1, 2);      // one entry:
        Write(10, 274, 2);   // orientation,
        Write(12, 3, 2);     // SHORT,
        Write(14, 1, 4);     // one value
        Write(18, (uint)orientation, 2);
        return tiff;
    }

    public static byte[] Encode(ColorImage image, string extension, params ImageEncodingParam[] parameters)
    {
        using var mat = new Mat(image.Height, image.Width, MatType.CV_8UC4);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                mat.Set(y, x, new Vec4b(p.B, p.G, p.R, p.A));
            }
        using var bgr = new Mat();
        Cv2.CvtColor(mat, bgr, ColorConversionCodes.BGRA2BGR);
        Cv2.ImEncode(extension, extension == ".png" ? mat : bgr, out byte[] bytes, parameters);
        return bytes;
    }

    /// <summary>A JPEG with an APP1 Exif segment right after its start-of-image marker.</summary>
    public static byte[] JpegWithOrientation(ColorImage stored, ExifOrientation orientation, bool bigEndian = true, bool progressive = false)
    {
        byte[] jpeg = Encode(stored, ".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 100),
            new ImageEncodingParam(ImwriteFlags.JpegProgressive, progressive ? 1 : 0));
        byte[] exif = [.. "Exif\0\0"u8.ToArray(), .. Exif(orientation, bigEndian)];
        var segment = new byte[4 + exif.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(exif.Length + 2));
        exif.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>A PNG with an eXIf chunk after its header.</summary>
    public static byte[] PngWithOrientation(ColorImage stored, ExifOrientation orientation)
    {
        byte[] png = Encode(stored, ".png");
        return [.. png[..33], .. Chunk("eXIf", Exif(orientation)), .. png[33..]];
    }

    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>A PNG with the given header fields and raw (unfiltered, filter byte 0) rows, deflated.</summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colourType, Func<int, byte[]> row, byte[]? palette = null)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = bitDepth;
        header[9] = colourType;
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(row(y));
            }
        }
        return [.. new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, .. Chunk("IHDR", header),
            .. (palette is null ? [] : Chunk("PLTE", palette)), .. Chunk("IDAT", compressed.ToArray()), .. Chunk("IEND", [])];
    }

    /// <summary>An uncompressed 8-bit grey TIFF (one strip) with an orientation tag.</summary>
    public static byte[] GreyTiff(int width, int height, Func<int, int, byte> pixel, ExifOrientation orientation)
    {
        (ushort Tag, ushort Type, uint Value)[] entries =
        [
            (256, 4, (uint)width), (257, 4, (uint)height), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 0),
            (274, 3, (ushort)orientation), (277, 3, 1), (278, 4, (uint)height), (279, 4, (uint)(width * height)),
        ];
        int directorySize = 2 + entries.Length * 12 + 4;
        int pixelsAt = 8 + directorySize;
        var file = new byte[pixelsAt + width * height];
        "II*\0"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            var (tag, type, value) = entries[i];
            if (tag == 273) value = (uint)pixelsAt;
            var e = file.AsSpan(10 + i * 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], 1);
            if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)value);
            else BinaryPrimitives.WriteUInt32LittleEndian(e[8..], value);
        }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                file[pixelsAt + y * width + x] = pixel(x, y);
        return file;
    }

    /// <summary>A picture with no symmetry: a left-right and top-bottom gradient plus a mark near one corner.</summary>
    public static ColorImage Asymmetric(int width, int height)
    {
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool mark = x < width / 4 && y < height / 5;
                image[x, y] = Bgra32.FromRgb((byte)(x * 255 / (width - 1)), (byte)(y * 255 / (height - 1)), (byte)(mark ? 255 : 40));
            }
        return image;
    }

    /// <summary>The positions where a PNG's chunks begin (after the signature).</summary>
    public static List<int> PngChunkStarts(byte[] png)
    {
        var starts = new List<int>();
        for (int at = 8; at + 8 <= png.Length; at += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at))) starts.Add(at);
        return starts;
    }

    /// <summary>The positions of a JPEG's markers (0xFF followed by neither a stuffed 0x00, a fill byte nor a restart marker).</summary>
    public static List<int> JpegMarkers(byte[] jpeg)
    {
        var markers = new List<int>();
        for (int i = 0; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is not (0x00 or 0xFF) && jpeg[i + 1] is not (>= 0xD0 and <= 0xD7)) markers.Add(i);
        return markers;
    }
}
