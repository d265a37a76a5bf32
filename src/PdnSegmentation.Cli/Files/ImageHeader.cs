using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace PdnSegmentation.Cli.Files;

/// <summary>The image formats the command line reads.</summary>
public enum ImageFileFormat { Png, Jpeg, Bmp, Tiff, WebP, Pnm }

/// <summary>
/// How the stored pixels must be turned to be shown upright: the EXIF / TIFF orientation tag's eight values.
/// </summary>
public enum ExifOrientation
{
    Normal = 1,
    FlipHorizontal = 2,
    Rotate180 = 3,
    FlipVertical = 4,
    Transpose = 5,
    Rotate90Clockwise = 6,
    Transverse = 7,
    Rotate90CounterClockwise = 8,
}

/// <summary>A file's format, stored size and orientation, read from its header before any pixel is decoded.</summary>
/// <param name="TiffOrientationAt">Where a TIFF file stores its orientation value (a SHORT), -1 for other files.</param>
public readonly record struct ImageHeader(ImageFileFormat Format, int Width, int Height, ExifOrientation Orientation, int TiffOrientationAt = -1)
{
    public long PixelCount => (long)Width * Height;

    /// <summary>The size as shown, after the orientation (a quarter turn swaps the sides).</summary>
    public (int Width, int Height) DisplayedSize => Orientation >= ExifOrientation.Transpose ? (Height, Width) : (Width, Height);
}

/// <summary>The file cannot be used; the message says why, without the file's name (the caller adds it).</summary>
public sealed class ImageHeaderException(string message) : Exception(message);

/// <summary>
/// Reads and checks an image file's structure before the decoder sees it, so that a decompression bomb is refused
/// before its pixels are allocated and a truncated or damaged file is refused instead of being decoded into grey
/// (libjpeg pads a truncated JPEG; a PNG chunk with a bad CRC is found here in one pass, without inflating it).
/// Hand-written because OpenCV exposes neither the header nor the EXIF orientation of a file in memory
/// (<c>imdecode</c> applies the orientation only when it also drops alpha and 16-bit depth).
/// </summary>
public static class ImageHeaders
{
    public static ImageHeader Read(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png(file);
        if (file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF) return Jpeg(file);
        if (file.StartsWith("BM"u8)) return Bmp(file);
        if (file.StartsWith("II*\0"u8) || file.StartsWith("MM\0*"u8) || file.StartsWith("II+\0"u8) || file.StartsWith("MM\0+"u8)) return Tiff(file);
        if (file.Length >= 12 && file.StartsWith("RIFF"u8) && file.Slice(8, 4).SequenceEqual("WEBP"u8)) return WebP(file);
        if (file.Length >= 2 && file[0] == 'P' && file[1] is >= (byte)'1' and <= (byte)'6') return Pnm(file);
        throw new ImageHeaderException("it is not an image this program can decode (PNG, JPEG, BMP, TIFF, WebP, PNM)");
    }

    private static ImageHeaderException Truncated(string format) =>
        new($"the {format} file is truncated (it ends before its last part); was it saved or downloaded completely?");

    private static ImageHeaderException Damaged(string format, string what) => new($"the {format} file is damaged ({what})");

    private static ImageHeader Checked(ImageFileFormat format, long width, long height, ExifOrientation orientation, int tiffOrientationAt = -1)
    {
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue)
            throw Damaged(format.ToString().ToUpperInvariant(), $"its header declares a size of {width} × {height}");
        return new ImageHeader(format, (int)width, (int)height, orientation, tiffOrientationAt);
    }

    /// <summary>
    /// Sets a TIFF file's orientation tag to "as stored" in place, so that the decoder returns the stored pixels:
    /// OpenCV's TIFF decoder applies the tag itself, but only partly (it drops the mirroring of values 2, 4, 6 and 7),
    /// even when told to ignore orientation; the caller then turns the pixels fully.
    /// </summary>
    public static void ClearTiffOrientation(Span<byte> file, ImageHeader header)
    {
        if (header.TiffOrientationAt < 0) return;
        if (file[0] == 'I') BinaryPrimitives.WriteUInt16LittleEndian(file[header.TiffOrientationAt..], 1);
        else BinaryPrimitives.WriteUInt16BigEndian(file[header.TiffOrientationAt..], 1);
    }

    // ---- PNG: a signature, then length-type-data-CRC chunks from IHDR to IEND.
    private static ImageHeader Png(ReadOnlySpan<byte> file)
    {
        int at = 8;
        long width = 0, height = 0;
        var orientation = ExifOrientation.Normal;
        bool first = true;
        while (true)
        {
            if (file.Length - at < 12) throw Truncated("PNG");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file[at..]);
            if (length > int.MaxValue) throw Damaged("PNG", "a chunk length is out of range");
            if (file.Length - at - 12 < length) throw Truncated("PNG");
            var type = file.Slice(at + 4, 4);
            var data = file.Slice(at + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file[(at + 8 + (int)length)..]);
            if (Crc32.HashToUInt32(file.Slice(at + 4, 4 + (int)length)) != crc)
                throw Damaged("PNG", $"the checksum of its {Encoding.ASCII.GetString(type)} chunk is wrong");
            if (first)
            {
                if (!type.SequenceEqual("IHDR"u8) || length != 13) throw Damaged("PNG", "it does not start with an image header");
                width = BinaryPrimitives.ReadUInt32BigEndian(data);
                height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                first = false;
            }
            else if (type.SequenceEqual("eXIf"u8))
            {
                orientation = TiffOrientation(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                return Checked(ImageFileFormat.Png, width, height, orientation);
            }
            at += 12 + (int)length;
        }
    }

    // ---- JPEG: markers from SOI to EOI; after each SOS, entropy-coded data in which 0xFF is always stuffed.
    private static ImageHeader Jpeg(ReadOnlySpan<byte> file)
    {
        int at = 2;
        long width = 0, height = 0;
        bool frame = false;
        var orientation = ExifOrientation.Normal;
        bool exifSeen = false;
        while (true)
        {
            if (at >= file.Length) throw Truncated("JPEG");
            if (file[at] != 0xFF) throw Damaged("JPEG", $"a marker was expected at byte {at}");
            while (at < file.Length && file[at] == 0xFF) at++; // fill bytes
            if (at >= file.Length) throw Truncated("JPEG");
            byte marker = file[at++];
            if (marker == 0xD9)
            {
                if (!frame) throw Damaged("JPEG", "it ends before any image data");
                return Checked(ImageFileFormat.Jpeg, width, height, orientation);
            }
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // markers without a length
            if (marker is 0x00 or 0xD8) throw Damaged("JPEG", $"an unexpected marker at byte {at - 1}");
            if (file.Length - at < 2) throw Truncated("JPEG");
            int length = BinaryPrimitives.ReadUInt16BigEndian(file[at..]);
            if (length < 2) throw Damaged("JPEG", $"a segment length of {length} at byte {at}");
            if (file.Length - at < length) throw Truncated("JPEG");
            var segment = file.Slice(at + 2, length - 2);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segment.Length < 5) throw Damaged("JPEG", "a frame header is too short");
                height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                if (height == 0) throw new ImageHeaderException("the JPEG file declares its height after the image data (DNL), which the decoder does not support");
                frame = true;
            }
            else if (marker == 0xE1 && !exifSeen && segment.StartsWith("Exif\0\0"u8))
            {
                exifSeen = true; // the first Exif segment is the image's; later ones may be embedded previews' metadata
                orientation = TiffOrientation(segment[6..]);
            }
            at += length;
            if (marker == 0xDA)
            {
                if (!frame) throw Damaged("JPEG", "image data comes before the frame header");
                // Skip the entropy-coded data: a marker is 0xFF followed by neither a stuffed 0x00 nor a restart marker.
                while (true)
                {
                    int next = file[at..].IndexOf((byte)0xFF);
                    if (next < 0 || at + next + 1 >= file.Length) throw Truncated("JPEG");
                    at += next;
                    byte following = file[at + 1];
                    if (following == 0x00 || following is >= 0xD0 and <= 0xD7 || following == 0xFF) { at += following == 0xFF ? 1 : 2; continue; }
                    break;
                }
            }
        }
    }

    // ---- BMP: file header, then a DIB header (OS/2 core: 16-bit sizes; Windows: 32-bit, negative height = top-down).
    private static ImageHeader Bmp(ReadOnlySpan<byte> file)
    {
        if (file.Length < 26) throw Truncated("BMP");
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(file[14..]);
        long width, height;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(file[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(file[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(file[24..]);
        }
        else if (headerSize >= 40)
        {
            if (file.Length < 54) throw Truncated("BMP");
            width = BinaryPrimitives.ReadInt32LittleEndian(file[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(file[22..]));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(file[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(file[30..]);
        }
        else throw Damaged("BMP", $"an unknown header size of {headerSize} bytes");
        var header = Checked(ImageFileFormat.Bmp, width, height, ExifOrientation.Normal);
        if (compression is 0 or 3 or 6 && bitsPerPixel is 1 or 4 or 8 or 16 or 24 or 32)
        {
            // Uncompressed rows: the file must hold them all, or the decoder would read past its end.
            long rowBytes = (width * bitsPerPixel + 31) / 32 * 4;
            if (pixelOffset + rowBytes * height > file.Length) throw Truncated("BMP");
        }
        return header;
    }

    // ---- TIFF (and BigTIFF): the first image file directory's width, length and orientation.
    private static ImageHeader Tiff(ReadOnlySpan<byte> file)
    {
        bool little = file[0] == 'I';
        bool big = (little ? BinaryPrimitives.ReadUInt16LittleEndian(file[2..]) : BinaryPrimitives.ReadUInt16BigEndian(file[2..])) == 43;
        var tags = new TiffReader(file, little, big);
        long directory = big ? (file.Length < 16 ? throw Truncated("TIFF") : tags.Offset(8)) : (file.Length < 8 ? throw Truncated("TIFF") : tags.Offset(4));
        long width = 0, height = 0, orientation = 1;
        int orientationAt = -1;
        foreach (var (tag, value, at) in tags.Directory(directory))
        {
            switch (tag)
            {
                case 256: width = value; break;
                case 257: height = value; break;
                case 274: orientation = value; orientationAt = at; break;
            }
        }
        return Checked(ImageFileFormat.Tiff, width, height, ToOrientation(orientation), orientationAt);
    }

    // ---- WebP: a RIFF container holding VP8 (lossy), VP8L (lossless) or VP8X (extended, with EXIF) chunks.
    private static ImageHeader WebP(ReadOnlySpan<byte> file)
    {
        long riffSize = BinaryPrimitives.ReadUInt32LittleEndian(file[4..]);
        if (riffSize + 8 > file.Length) throw Truncated("WebP");
        int at = 12;
        long width = 0, height = 0;
        bool sized = false;
        var orientation = ExifOrientation.Normal;
        int end = (int)Math.Min(file.Length, riffSize + 8);
        while (end - at >= 8)
        {
            var type = file.Slice(at, 4);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(file[(at + 4)..]);
            if (length > end - at - 8) throw Truncated("WebP");
            var data = file.Slice(at + 8, (int)length);
            if (type.SequenceEqual("VP8X"u8) && data.Length >= 10)
            {
                width = 1 + (data[4] | data[5] << 8 | data[6] << 16);
                height = 1 + (data[7] | data[8] << 8 | data[9] << 16);
                sized = true;
            }
            else if (type.SequenceEqual("VP8 "u8) && !sized)
            {
                if (data.Length < 10 || data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) throw Damaged("WebP", "a lossy frame header is invalid");
                width = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF;
                height = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF;
                sized = true;
            }
            else if (type.SequenceEqual("VP8L"u8) && !sized)
            {
                if (data.Length < 5 || data[0] != 0x2F) throw Damaged("WebP", "a lossless frame header is invalid");
                uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                width = 1 + (bits & 0x3FFF);
                height = 1 + ((bits >> 14) & 0x3FFF);
                sized = true;
            }
            else if (type.SequenceEqual("EXIF"u8))
            {
                orientation = TiffOrientation(data.StartsWith("Exif\0\0"u8) ? data[6..] : data);
            }
            at += 8 + (int)length + (int)(length & 1); // chunks are padded to an even length
        }
        if (!sized) throw Damaged("WebP", "it holds no image");
        return Checked(ImageFileFormat.WebP, width, height, orientation);
    }

    // ---- PNM (PBM/PGM/PPM, plain and raw): "P<n>", width, height in ASCII, with '#' comments.
    private static ImageHeader Pnm(ReadOnlySpan<byte> file)
    {
        int at = 2;
        long width = Number(file, ref at), height = Number(file, ref at);
        var header = Checked(ImageFileFormat.Pnm, width, height, ExifOrientation.Normal);
        char kind = (char)file[1];
        if (kind is '4' or '5' or '6')
        {
            long max = kind == '4' ? 1 : Number(file, ref at);
            long bytes = kind == '4' ? (width + 7) / 8 * height : width * height * (kind == '6' ? 3 : 1) * (max > 255 ? 2 : 1);
            if (at + 1 + bytes > file.Length) throw Truncated("PNM");
        }
        return header;
    }

    private static long Number(ReadOnlySpan<byte> file, ref int at)
    {
        while (at < file.Length && (file[at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' || file[at] == '#'))
        {
            if (file[at] == '#') while (at < file.Length && file[at] != '\n') at++;
            else at++;
        }
        long value = 0;
        int digits = 0;
        while (at < file.Length && file[at] is >= (byte)'0' and <= (byte)'9' && digits < 12) { value = value * 10 + (file[at++] - '0'); digits++; }
        if (digits == 0) throw at >= file.Length ? Truncated("PNM") : Damaged("PNM", "its header is not numbers");
        return value;
    }

    /// <summary>The orientation tag (274) of the first directory of EXIF data in TIFF layout; Normal when absent or unreadable.</summary>
    private static ExifOrientation TiffOrientation(ReadOnlySpan<byte> exif)
    {
        // Metadata is optional: damaged EXIF makes the image upright as stored, not unreadable (as in viewers).
        if (exif.Length < 8 || !(exif.StartsWith("II*\0"u8) || exif.StartsWith("MM\0*"u8))) return ExifOrientation.Normal;
        try
        {
            var tags = new TiffReader(exif, exif[0] == 'I', big: false);
            foreach (var (tag, value, _) in tags.Directory(tags.Offset(4)))
                if (tag == 274) return ToOrientation(value);
        }
        catch (ImageHeaderException) { }
        return ExifOrientation.Normal;
    }

    private static ExifOrientation ToOrientation(long value) => value is >= 1 and <= 8 ? (ExifOrientation)value : ExifOrientation.Normal;

    /// <summary>Reads the short and long (and BigTIFF long8) tags of one directory, by value only.</summary>
    private readonly ref struct TiffReader(ReadOnlySpan<byte> data, bool little, bool big)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public long Offset(long at) => big ? (long)U64(at) : U32(at);

        /// <summary>The directory's tags with a numeric value, and where each SHORT value is stored (-1 for others).</summary>
        public List<(int Tag, long Value, int ShortAt)> Directory(long at)
        {
            int entrySize = big ? 20 : 12;
            long count = big ? (long)U64(at) : U16(at);
            long first = at + (big ? 8 : 2);
            if (count > 4096 || first + count * entrySize > _data.Length) throw Truncated("TIFF");
            var tags = new List<(int, long, int)>((int)count);
            for (long i = 0; i < count; i++)
            {
                long entry = first + i * entrySize;
                int tag = U16(entry), type = U16(entry + 2);
                long valueAt = entry + (big ? 12 : 8);
                long value = type switch
                {
                    3 => U16(valueAt),          // SHORT
                    4 => U32(valueAt),          // LONG
                    16 => (long)Math.Min(U64(valueAt), long.MaxValue), // LONG8 (BigTIFF)
                    _ => -1,
                };
                if (value >= 0) tags.Add((tag, value, type == 3 ? (int)valueAt : -1));
            }
            return tags;
        }

        private ReadOnlySpan<byte> At(long at, int size) =>
            at < 0 || at + size > _data.Length ? throw Truncated("TIFF") : _data.Slice((int)at, size);

        private int U16(long at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(At(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(At(at, 2));
        private uint U32(long at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(At(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(At(at, 4));
        private ulong U64(long at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(At(at, 8)) : BinaryPrimitives.ReadUInt64BigEndian(At(at, 8));
    }
}
