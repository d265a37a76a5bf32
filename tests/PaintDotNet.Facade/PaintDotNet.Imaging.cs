namespace PaintDotNet.Imaging;

public interface IPixelInfo : IInternalImpl
{
    int BitsPerPixel { get; }
    int ChannelCount { get; }
    PixelFormatNumericRepresentation NumericRepresentation { get; }
    PixelFormat PixelFormat { get; }
    bool SupportsTransparency { get; }
}

public interface INaturalPixelInfo : IPixelInfo, IInternalImpl
{
    int BytesPerPixel { get; }
}

public interface INaturalPixelInfo<TPixel> : INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<TPixel> where TPixel : unmanaged, INaturalPixelInfo<TPixel>
{
}

public enum PixelFormatNumericRepresentation
{
    Unspecified = 0,
    Indexed = 1,
    UnsignedInteger = 2,
    SignedInteger = 3,
    Fixed = 4,
    Float = 5,
}

// Members whose Paint.NET declaration ("{ get; }") cannot carry a body are preceded by that declaration as a comment;
// the reflection test checks the compiled surface against api-5.1.9.json.

[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 4)]
public struct ColorBgra32 : INaturalPixelInfo<ColorBgra32>, INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<ColorBgra32>
{
    [System.Runtime.InteropServices.FieldOffset(0)] private uint _bgra;

    public ColorBgra32(ColorBgr24 bgr, ColorAlpha8 a) : this(bgr.B, bgr.G, bgr.R, a.A) { }
    public ColorBgra32(ColorBgr24 bgr, byte a) : this(bgr.B, bgr.G, bgr.R, a) { }
    public ColorBgra32(byte b, byte g, byte r, byte a) { _bgra = b | (uint)g << 8 | (uint)r << 16 | (uint)a << 24; }
    public ColorBgra32(uint bgra) { _bgra = bgra; }
    // public byte A { readonly get; set; }
    public byte A { readonly get => (byte)(_bgra >> 24); set => _bgra = (_bgra & 0x00FFFFFFu) | (uint)value << 24; }
    // public byte B { readonly get; set; }
    public byte B { readonly get => (byte)_bgra; set => _bgra = (_bgra & 0xFFFFFF00u) | value; }
    // public readonly ColorBgr24 Bgr { get; }
    public readonly ColorBgr24 Bgr => new(B, G, R);
    // public uint Bgra { readonly get; set; }
    public uint Bgra { readonly get => _bgra; set => _bgra = value; }
    // public byte G { readonly get; set; }
    public byte G { readonly get => (byte)(_bgra >> 8); set => _bgra = (_bgra & 0xFFFF00FFu) | (uint)value << 8; }
    // public byte this[int index] { get; set; }
    public byte this[int index]
    {
        readonly get => (uint)index < 4 ? (byte)(_bgra >> (8 * index)) : throw new ArgumentOutOfRangeException(nameof(index));
        set
        {
            if ((uint)index >= 4) throw new ArgumentOutOfRangeException(nameof(index));
            _bgra = (_bgra & ~(0xFFu << (8 * index))) | (uint)value << (8 * index);
        }
    }
    // public byte R { readonly get; set; }
    public byte R { readonly get => (byte)(_bgra >> 16); set => _bgra = (_bgra & 0xFF00FFFFu) | (uint)value << 16; }
    public readonly bool Equals(ColorBgra32 other) => _bgra == other._bgra;
    public override readonly bool Equals(object? obj) => obj is ColorBgra32 c && Equals(c);
    public static ColorBgra32 FromBgra(byte b, byte g, byte r, byte a) => new(b, g, r, a);
    public static ColorBgra32 FromUInt32(uint bgra) => new(bgra);
    public override readonly int GetHashCode() => (int)_bgra;
    public readonly ColorPbgra32 ToPremultiplied() =>
        new((byte)((B * A + 127) / 255), (byte)((G * A + 127) / 255), (byte)((R * A + 127) / 255), A);
    public override readonly string ToString() => $"B={B}, G={G}, R={R}, A={A}";
    public static bool operator ==(ColorBgra32 a, ColorBgra32 b) => a._bgra == b._bgra;
    public static explicit operator uint(ColorBgra32 color) => color._bgra;
    public static explicit operator ColorBgra32(uint bgra) => new(bgra);
    public static implicit operator ColorBgra32(ColorBgr24 color) => new(color.B, color.G, color.R, 255);
    public static bool operator !=(ColorBgra32 a, ColorBgra32 b) => a._bgra != b._bgra;
    int IPixelInfo.BitsPerPixel => 32;
    int IPixelInfo.ChannelCount => 4;
    PixelFormatNumericRepresentation IPixelInfo.NumericRepresentation => PixelFormatNumericRepresentation.UnsignedInteger;
    PixelFormat IPixelInfo.PixelFormat => PixelFormats.Bgra32;
    bool IPixelInfo.SupportsTransparency => true;
    int INaturalPixelInfo.BytesPerPixel => 4;
}

[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 4)]
public struct ColorPbgra32 : INaturalPixelInfo<ColorPbgra32>, INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<ColorPbgra32>
{
    [System.Runtime.InteropServices.FieldOffset(0)] private uint _bgra;

    public ColorPbgra32(byte b, byte g, byte r, byte a) { _bgra = b | (uint)g << 8 | (uint)r << 16 | (uint)a << 24; }
    public ColorPbgra32(uint bgra) { _bgra = bgra; }
    // public byte A { readonly get; set; }
    public byte A { readonly get => (byte)(_bgra >> 24); set => _bgra = (_bgra & 0x00FFFFFFu) | (uint)value << 24; }
    // public byte B { readonly get; set; }
    public byte B { readonly get => (byte)_bgra; set => _bgra = (_bgra & 0xFFFFFF00u) | value; }
    // public uint Bgra { readonly get; set; }
    public uint Bgra { readonly get => _bgra; set => _bgra = value; }
    // public byte G { readonly get; set; }
    public byte G { readonly get => (byte)(_bgra >> 8); set => _bgra = (_bgra & 0xFFFF00FFu) | (uint)value << 8; }
    // public byte R { readonly get; set; }
    public byte R { readonly get => (byte)(_bgra >> 16); set => _bgra = (_bgra & 0xFF00FFFFu) | (uint)value << 16; }
    public readonly bool Equals(ColorPbgra32 other) => _bgra == other._bgra;
    public override readonly bool Equals(object? obj) => obj is ColorPbgra32 c && Equals(c);
    public static ColorPbgra32 FromBgra(byte b, byte g, byte r, byte a) => new(b, g, r, a);
    public override readonly int GetHashCode() => (int)_bgra;
    public readonly ColorBgra32 ToUnpremultiplied() => A == 0 ? default :
        new((byte)Math.Min(255, (B * 255 + A / 2) / A), (byte)Math.Min(255, (G * 255 + A / 2) / A), (byte)Math.Min(255, (R * 255 + A / 2) / A), A);
    public static bool operator ==(ColorPbgra32 a, ColorPbgra32 b) => a._bgra == b._bgra;
    public static bool operator !=(ColorPbgra32 a, ColorPbgra32 b) => a._bgra != b._bgra;
    int IPixelInfo.BitsPerPixel => 32;
    int IPixelInfo.ChannelCount => 4;
    PixelFormatNumericRepresentation IPixelInfo.NumericRepresentation => PixelFormatNumericRepresentation.UnsignedInteger;
    PixelFormat IPixelInfo.PixelFormat => PixelFormats.Pbgra32;
    bool IPixelInfo.SupportsTransparency => true;
    int INaturalPixelInfo.BytesPerPixel => 4;
}

public struct ColorBgr24 : INaturalPixelInfo<ColorBgr24>, INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<ColorBgr24>
{
    public ColorBgr24(byte b, byte g, byte r) { B = b; G = g; R = r; }
    public byte B { readonly get; set; }
    public byte G { readonly get; set; }
    public byte R { readonly get; set; }
    public readonly bool Equals(ColorBgr24 other) => B == other.B && G == other.G && R == other.R;
    public override readonly bool Equals(object? obj) => obj is ColorBgr24 c && Equals(c);
    public override readonly int GetHashCode() => B | G << 8 | R << 16;
    public static bool operator ==(ColorBgr24 a, ColorBgr24 b) => a.Equals(b);
    public static bool operator !=(ColorBgr24 a, ColorBgr24 b) => !a.Equals(b);
    int IPixelInfo.BitsPerPixel => 24;
    int IPixelInfo.ChannelCount => 3;
    PixelFormatNumericRepresentation IPixelInfo.NumericRepresentation => PixelFormatNumericRepresentation.UnsignedInteger;
    PixelFormat IPixelInfo.PixelFormat => PixelFormats.Bgr24;
    bool IPixelInfo.SupportsTransparency => false;
    int INaturalPixelInfo.BytesPerPixel => 3;
}

public struct ColorAlpha8 : INaturalPixelInfo<ColorAlpha8>, INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<ColorAlpha8>
{
    public ColorAlpha8(byte a) { A = a; }
    public byte A { readonly get; set; }
    // public static ColorAlpha8 Opaque { get; }
    public static ColorAlpha8 Opaque => new(255);
    // public static ColorAlpha8 Transparent { get; }
    public static ColorAlpha8 Transparent => new(0);
    public readonly bool Equals(ColorAlpha8 other) => A == other.A;
    public override readonly bool Equals(object? obj) => obj is ColorAlpha8 c && Equals(c);
    public override readonly int GetHashCode() => A;
    public static bool operator ==(ColorAlpha8 a, ColorAlpha8 b) => a.A == b.A;
    public static explicit operator byte(ColorAlpha8 color) => color.A;
    public static explicit operator ColorAlpha8(byte value) => new(value);
    public static bool operator !=(ColorAlpha8 a, ColorAlpha8 b) => a.A != b.A;
    int IPixelInfo.BitsPerPixel => 8;
    int IPixelInfo.ChannelCount => 1;
    PixelFormatNumericRepresentation IPixelInfo.NumericRepresentation => PixelFormatNumericRepresentation.UnsignedInteger;
    PixelFormat IPixelInfo.PixelFormat => PixelFormats.Alpha8;
    bool IPixelInfo.SupportsTransparency => true;
    int INaturalPixelInfo.BytesPerPixel => 1;
}

public struct ColorRgba128Float : INaturalPixelInfo<ColorRgba128Float>, INaturalPixelInfo, IPixelInfo, IInternalImpl, IEquatable<ColorRgba128Float>
{
    public ColorRgba128Float(float r, float g, float b, float a) { R = r; G = g; B = b; A = a; }
    public float A { readonly get; set; }
    public float B { readonly get; set; }
    public float G { readonly get; set; }
    public float R { readonly get; set; }
    readonly bool IEquatable<ColorRgba128Float>.Equals(ColorRgba128Float other) => R.Equals(other.R) && G.Equals(other.G) && B.Equals(other.B) && A.Equals(other.A);
    int IPixelInfo.BitsPerPixel => 128;
    int IPixelInfo.ChannelCount => 4;
    PixelFormatNumericRepresentation IPixelInfo.NumericRepresentation => PixelFormatNumericRepresentation.Float;
    PixelFormat IPixelInfo.PixelFormat => PixelFormats.Rgba128Float;
    bool IPixelInfo.SupportsTransparency => true;
    int INaturalPixelInfo.BytesPerPixel => 16;
}

/// <summary>A pixel format, identified by its WIC GUID.</summary>
public readonly struct PixelFormat : IEquatable<PixelFormat>
{
    public PixelFormat(in Guid guid) { Guid = guid; }
    public Guid Guid { get; }
    public bool Equals(PixelFormat other) => Guid == other.Guid;
    public bool Equals(in PixelFormat other) => Guid == other.Guid;
    public override bool Equals(object? obj) => obj is PixelFormat p && Guid == p.Guid;
    public int GetBitsPerPixel() => TryGetBitsPerPixel(out int bpp) ? bpp : throw new NotSupportedException($"Unknown pixel format {Guid}.");
    public override int GetHashCode() => Guid.GetHashCode();
    public string GetName() => PixelFormats.NameOf(this);
    public override string ToString() => GetName();
    public bool TryGetBitsPerPixel(out int bpp)
    {
        bpp = PixelFormats.BitsPerPixelOf(this);
        return bpp > 0;
    }
    public static bool operator ==(in PixelFormat a, in PixelFormat b) => a.Guid == b.Guid;
    public static implicit operator Guid(in PixelFormat pixelFormat) => pixelFormat.Guid;
    public static implicit operator PixelFormat(in Guid guid) => new(guid);
    public static bool operator !=(in PixelFormat a, in PixelFormat b) => a.Guid != b.Guid;
}

public static class PixelFormats
{
    // WIC's GUIDs (GUID_WICPixelFormat32bppBGRA, ...).
    // public static PixelFormat Alpha8 { get; }
    public static PixelFormat Alpha8 => new(new Guid("e6cd0116-eeba-4161-aa85-27dd9fb3a895"));
    // public static PixelFormat Bgra32 { get; }
    public static PixelFormat Bgra32 => new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc90f"));
    // public static PixelFormat Pbgra32 { get; }
    public static PixelFormat Pbgra32 => new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc910"));
    // public static PixelFormat Prgba128Float { get; }
    public static PixelFormat Prgba128Float => new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc91a"));
    // public static PixelFormat Rgba128Float { get; }
    public static PixelFormat Rgba128Float => new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc919"));
    public static bool IsSupported(in PixelFormat format) => BitsPerPixelOf(format) > 0;

    internal static PixelFormat Bgr24 => new(new Guid("6fddc324-4e03-4bfe-b185-3d77768dc90c"));

    internal static int BitsPerPixelOf(in PixelFormat f) =>
        f == Alpha8 ? 8 : f == Bgra32 || f == Pbgra32 ? 32 : f == Bgr24 ? 24 : f == Rgba128Float || f == Prgba128Float ? 128 : 0;

    internal static string NameOf(in PixelFormat f) =>
        f == Alpha8 ? "Alpha8" : f == Bgra32 ? "Bgra32" : f == Pbgra32 ? "Pbgra32" : f == Bgr24 ? "Bgr24" :
        f == Rgba128Float ? "Rgba128Float" : f == Prgba128Float ? "Prgba128Float" : f.Guid.ToString();

    internal static PixelFormat Of<TPixel>() where TPixel : unmanaged, INaturalPixelInfo => default(TPixel).PixelFormat;
}

public unsafe interface IBitmapSource : IObjectRef, IIsDisposed, IDisposable
{
    PixelFormat PixelFormat { get; }
    Vector2Double Resolution { get; }
    SizeInt32 Size { get; }
    void CopyPixels(void* pBuffer, int bufferStride, uint bufferSize, in RectInt32? srcRect);
    IPalette? GetPalette();
}

public interface IBitmapSource<TPixel> : IBitmapSource, IObjectRef, IIsDisposed, IDisposable where TPixel : unmanaged, INaturalPixelInfo
{
}

public interface IBitmap : IBitmapSource, IObjectRef, IIsDisposed, IDisposable
{
    new Vector2Double Resolution { get; set; }
    IBitmapLock Lock(RectInt32 rect, BitmapLockOptions lockOptions);
    void SetPalette(IPalette palette);
}

public interface IBitmap<TPixel> : IBitmap, IBitmapSource<TPixel>, IBitmapSource, IObjectRef, IIsDisposed, IDisposable where TPixel : unmanaged, INaturalPixelInfo
{
    new IBitmapLock<TPixel> Lock(RectInt32 rect, BitmapLockOptions lockOptions);
}

public unsafe interface IBitmapLock : IObjectRef, IIsDisposed, IDisposable
{
    void* Buffer { get; }
    uint BufferSize { get; }
    int BufferStride { get; }
    PixelFormat PixelFormat { get; }
    SizeInt32 Size { get; }
}

public unsafe interface IBitmapLock<TPixel> : IBitmapLock, IObjectRef, IIsDisposed, IDisposable where TPixel : unmanaged, INaturalPixelInfo
{
    new TPixel* Buffer { get; }
}

[Flags]
public enum BitmapLockOptions
{
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}

public static class BitmapLockExtensions
{
    public static unsafe RegionPtr<TPixel> AsRegionPtr<TPixel>(this IBitmapLock<TPixel> bitmapLock) where TPixel : unmanaged, INaturalPixelInfo =>
        new(bitmapLock, bitmapLock.Buffer, bitmapLock.Size, bitmapLock.BufferStride);
}

public static class BitmapExtensions
{
    public static IBitmap CreateWindow(this IBitmap bitmap, Point2Int32 offset) => Memory(bitmap).Window(new RectInt32(offset, new SizeInt32(bitmap.Size.Width - offset.X, bitmap.Size.Height - offset.Y)));
    public static IBitmap CreateWindow(this IBitmap bitmap, RectInt32 rect) => Memory(bitmap).Window(rect);
    public static IBitmap CreateWindow(this IBitmap bitmap, SizeInt32 size) => Memory(bitmap).Window(new RectInt32(Point2Int32.Zero, size));
    public static IBitmap<TPixel> CreateWindow<TPixel>(this IBitmap<TPixel> bitmap, Point2Int32 offset) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmap<TPixel>)((IBitmap)bitmap).CreateWindow(offset);
    public static IBitmap<TPixel> CreateWindow<TPixel>(this IBitmap<TPixel> bitmap, RectInt32 rect) where TPixel : unmanaged, INaturalPixelInfo => (IBitmap<TPixel>)((IBitmap)bitmap).CreateWindow(rect);
    public static IBitmap<TPixel> CreateWindow<TPixel>(this IBitmap<TPixel> bitmap, SizeInt32 size) where TPixel : unmanaged, INaturalPixelInfo => (IBitmap<TPixel>)((IBitmap)bitmap).CreateWindow(size);
    public static IBitmapLock Lock(this IBitmap bitmap, BitmapLockOptions lockOptions) => bitmap.Lock(bitmap.Bounds(), lockOptions);
    public static IBitmapLock<TPixel> Lock<TPixel>(this IBitmap<TPixel> bitmap, BitmapLockOptions lockOptions) where TPixel : unmanaged, INaturalPixelInfo => bitmap.Lock(bitmap.Bounds(), lockOptions);

    private static IMemoryBitmap Memory(IBitmap bitmap) =>
        bitmap as IMemoryBitmap ?? throw new NotSupportedException("This facade creates windows only on its own in-memory bitmaps.");
}

public static class BitmapSourceExtensions
{
    public static RectInt32 Bounds(this IBitmapSource source) => new(Point2Int32.Zero, source.Size);
    public static void CopyPixels(this IBitmapSource source, IBitmapLock dst) => source.CopyPixels(dst, Point2Int32.Zero);
    public static unsafe void CopyPixels(this IBitmapSource source, IBitmapLock dst, Point2Int32 srcOffset)
    {
        if (dst.PixelFormat != source.PixelFormat) throw new ArgumentException($"Pixel formats differ: {source.PixelFormat} → {dst.PixelFormat}.");
        source.CopyPixels(dst.Buffer, dst.BufferStride, dst.BufferSize, new RectInt32(srcOffset, dst.Size));
    }
    public static void CopyPixels<TPixel>(this IBitmapSource<TPixel> source, IBitmapLock dst) where TPixel : unmanaged, INaturalPixelInfo => ((IBitmapSource)source).CopyPixels(dst);
    public static void CopyPixels<TPixel>(this IBitmapSource<TPixel> source, IBitmapLock dst, Point2Int32 srcOffset) where TPixel : unmanaged, INaturalPixelInfo =>
        ((IBitmapSource)source).CopyPixels(dst, srcOffset);
    public static void CopyPixels<TPixel>(this IBitmapSource<TPixel> source, RegionPtr<TPixel> dst) where TPixel : unmanaged, INaturalPixelInfo => source.CopyPixels(dst, Point2Int32.Zero);
    public static unsafe void CopyPixels<TPixel>(this IBitmapSource<TPixel> source, RegionPtr<TPixel> dst, Point2Int32 srcOffset) where TPixel : unmanaged, INaturalPixelInfo =>
        source.CopyPixels(dst.Ptr, dst.Stride, (uint)((long)dst.Stride * (dst.Height - 1) + (long)dst.Width * sizeof(TPixel)), new RectInt32(srcOffset, dst.Size));
    public static IBitmapSource CreateClipper(this IBitmapSource source, Point2Int32 offset) => source.CreateClipper(new RectInt32(offset, new SizeInt32(source.Size.Width - offset.X, source.Size.Height - offset.Y)));
    public static IBitmapSource CreateClipper(this IBitmapSource source, RectInt32 rect) => Clip(source, rect, BitmapExtendMode.Zero);
    public static IBitmapSource CreateClipper(this IBitmapSource source, SizeInt32 size) => source.CreateClipper(new RectInt32(Point2Int32.Zero, size));
    public static IBitmapSource<TPixel> CreateClipper<TPixel>(this IBitmapSource<TPixel> source, Point2Int32 offset) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixel>)((IBitmapSource)source).CreateClipper(offset);
    public static IBitmapSource<TPixel> CreateClipper<TPixel>(this IBitmapSource<TPixel> source, RectInt32 rect) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixel>)Clip(source, rect, BitmapExtendMode.Zero);
    public static IBitmapSource<TPixel> CreateClipper<TPixel>(this IBitmapSource<TPixel> source, RectInt32 sourceRect, BitmapExtendMode extendMode) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixel>)Clip(source, sourceRect, extendMode);
    public static IBitmapSource<TPixel> CreateClipper<TPixel>(this IBitmapSource<TPixel> source, SizeInt32 size) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixel>)Clip(source, new RectInt32(Point2Int32.Zero, size), BitmapExtendMode.Zero);
    public static IBitmapSource CreateFormatConverter(this IBitmapSource source, in PixelFormat dstFormat) =>
        source.PixelFormat == dstFormat ? source : throw new NotSupportedException($"This facade does not convert {source.PixelFormat} to {dstFormat}.");
    public static IBitmapSource<TPixelDst> CreateFormatConverter<TPixelDst>(this IBitmapSource source) where TPixelDst : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixelDst>)source.CreateFormatConverter(PixelFormats.Of<TPixelDst>());
    public static IBitmapSource CreateScaler(this IBitmapSource source, SizeInt32 dstSize, BitmapInterpolationMode interpolationMode) =>
        throw new NotSupportedException("This facade has no resampler (Paint.NET uses WIC's); scale with the engine instead.");
    public static IBitmapSource CreateScaler(this IBitmapSource source, int dstWidth, int dstHeight, BitmapInterpolationMode interpolationMode) =>
        source.CreateScaler(new SizeInt32(dstWidth, dstHeight), interpolationMode);
    public static IBitmapSource<TPixel> CreateScaler<TPixel>(this IBitmapSource<TPixel> source, SizeInt32 dstSize, BitmapInterpolationMode interpolationMode) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmapSource<TPixel>)((IBitmapSource)source).CreateScaler(dstSize, interpolationMode);
    public static IBitmapSource<TPixel> CreateScaler<TPixel>(this IBitmapSource<TPixel> source, int dstWidth, int dstHeight, BitmapInterpolationMode interpolationMode) where TPixel : unmanaged, INaturalPixelInfo =>
        source.CreateScaler(new SizeInt32(dstWidth, dstHeight), interpolationMode);
    public static IBitmap ToBitmap(this IBitmapSource source) => source.ToBitmap(source.Bounds());
    public static IBitmap ToBitmap(this IBitmapSource source, RectInt32 rect) => Clip(source, rect, BitmapExtendMode.Zero);
    public static IBitmap<TPixel> ToBitmap<TPixel>(this IBitmapSource<TPixel> source) where TPixel : unmanaged, INaturalPixelInfo => (IBitmap<TPixel>)((IBitmapSource)source).ToBitmap();
    public static IBitmap<TPixel> ToBitmap<TPixel>(this IBitmapSource<TPixel> source, RectInt32 rect) where TPixel : unmanaged, INaturalPixelInfo => (IBitmap<TPixel>)((IBitmapSource)source).ToBitmap(rect);

    /// <summary>A materialised copy of <paramref name="rect"/>; pixels outside the source are zero or the nearest edge pixel.</summary>
    private static IBitmap Clip(IBitmapSource source, RectInt32 rect, BitmapExtendMode mode)
    {
        if (source.PixelFormat == PixelFormats.Bgra32) return MemoryBitmap<ColorBgra32>.CopyOf(source, rect, mode);
        if (source.PixelFormat == PixelFormats.Alpha8) return MemoryBitmap<ColorAlpha8>.CopyOf(source, rect, mode);
        if (source.PixelFormat == PixelFormats.Pbgra32) return MemoryBitmap<ColorPbgra32>.CopyOf(source, rect, mode);
        if (source.PixelFormat == PixelFormats.Rgba128Float) return MemoryBitmap<ColorRgba128Float>.CopyOf(source, rect, mode);
        throw new NotSupportedException($"This facade does not hold {source.PixelFormat} bitmaps.");
    }
}

public enum BitmapExtendMode
{
    Clamp = 0,
    Zero = 3,
}

public enum BitmapInterpolationMode
{
    NearestNeighbor = 0,
    Linear = 1,
    Cubic = 2,
    Fant = 3,
    HighQualityCubic = 4,
}

[Flags]
public enum BitmapAllocationOptions
{
    Default = 0,
    Uninitialized = 1,
    Contiguous = 2,
}

public unsafe interface IImagingFactory : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat);
    IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, BitmapAllocationOptions options);
    IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize);
    IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize, BitmapAllocationOptions options);
}

public unsafe static class ImagingFactoryExtensions
{
    public static IBitmap CreateBitmap(this IImagingFactory factory, SizeInt32 size, in PixelFormat pixelFormat) => factory.CreateBitmap(size.Width, size.Height, pixelFormat);
    public static IBitmap CreateBitmap(this IImagingFactory factory, SizeInt32 size, in PixelFormat pixelFormat, BitmapAllocationOptions options) => factory.CreateBitmap(size.Width, size.Height, pixelFormat, options);
    public static IBitmap CreateBitmap(this IImagingFactory factory, SizeInt32 size, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize) =>
        factory.CreateBitmap(size.Width, size.Height, pixelFormat, pBuffer, bufferStride, bufferSize);
    public static IBitmap CreateBitmap(this IImagingFactory factory, SizeInt32 size, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize, BitmapAllocationOptions options) =>
        factory.CreateBitmap(size.Width, size.Height, pixelFormat, pBuffer, bufferStride, bufferSize, options);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, SizeInt32 size) where TPixel : unmanaged, INaturalPixelInfo => factory.CreateBitmap<TPixel>(size.Width, size.Height);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, SizeInt32 size, BitmapAllocationOptions options) where TPixel : unmanaged, INaturalPixelInfo =>
        factory.CreateBitmap<TPixel>(size.Width, size.Height, options);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, SizeInt32 size, TPixel* pBuffer, int bufferStride, uint bufferSize) where TPixel : unmanaged, INaturalPixelInfo =>
        factory.CreateBitmap(size.Width, size.Height, pBuffer, bufferStride, bufferSize);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, SizeInt32 size, TPixel* pBuffer, int bufferStride, uint bufferSize, BitmapAllocationOptions options) where TPixel : unmanaged, INaturalPixelInfo =>
        factory.CreateBitmap(size.Width, size.Height, pBuffer, bufferStride, bufferSize, options);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, int width, int height) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmap<TPixel>)factory.CreateBitmap(width, height, PixelFormats.Of<TPixel>());
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, int width, int height, BitmapAllocationOptions options) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmap<TPixel>)factory.CreateBitmap(width, height, PixelFormats.Of<TPixel>(), options);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, int width, int height, TPixel* pBuffer, int bufferStride, uint bufferSize) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmap<TPixel>)factory.CreateBitmap(width, height, PixelFormats.Of<TPixel>(), pBuffer, bufferStride, bufferSize);
    public static IBitmap<TPixel> CreateBitmap<TPixel>(this IImagingFactory factory, int width, int height, TPixel* pBuffer, int bufferStride, uint bufferSize, BitmapAllocationOptions options) where TPixel : unmanaged, INaturalPixelInfo =>
        (IBitmap<TPixel>)factory.CreateBitmap(width, height, PixelFormats.Of<TPixel>(), pBuffer, bufferStride, bufferSize, options);
}

public static class ImagingFactory
{
    public static IImagingFactory CreateRef() => new MemoryImagingFactory();
}

public interface IPalette : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
}

public interface IColorContext : IObjectRef, IIsDisposed, IDisposable, IEquatable<IColorContext>, IInternalImpl
{
    ExifColorSpace ExifColorSpace { get; }
    ColorContextType Type { get; }
    ReadOnlyMemory<byte> GetProfileBytes();
}

public enum ExifColorSpace : ushort
{
    Srgb = 1,
    AdobeRgb = 2,
    Uncalibrated = 65535,
}

public enum ColorContextType
{
    Uninitialized = 0,
    Profile = 1,
    ExifColorSpace = 2,
}

/// <summary>A colour with its colour space. The facade knows one space, sRGB; values are straight-alpha 0..1 floats.</summary>
public abstract class ManagedColor : IEquatable<ManagedColor>
{
    internal ManagedColor() { }
    public abstract IColorContext ColorContext { get; }
    internal abstract ColorRgba128Float Value { get; }
    public static ManagedColor Create(ColorRgba128Float value, IColorContext colorContext) => new SrgbManagedColor(value);
    public static ManagedColor Create(SrgbColorA srgbColor) => new SrgbManagedColor(srgbColor.Value);
    public bool Equals(ManagedColor? other) => other is not null && Value.R == other.Value.R && Value.G == other.Value.G && Value.B == other.Value.B && Value.A == other.Value.A;
    public override bool Equals(object? obj) => obj is ManagedColor c && Equals(c);
    public ColorRgba128Float Get(IColorContext dstColorContext) => Value;
    public override int GetHashCode() => HashCode.Combine(Value.R, Value.G, Value.B, Value.A);
    public static bool operator ==(ManagedColor? color1, ManagedColor? color2) => color1 is null ? color2 is null : color1.Equals(color2);
    public static bool operator !=(ManagedColor? color1, ManagedColor? color2) => !(color1 == color2);
}

public static class ManagedColorExtensions
{
    public static ColorBgra32 GetBgra32(this ManagedColor color, IColorContext dstColorContext)
    {
        var v = color.Get(dstColorContext);
        static byte B(float f) => (byte)Math.Clamp(MathF.Round(f * 255f), 0f, 255f);
        return new ColorBgra32(B(v.B), B(v.G), B(v.R), B(v.A));
    }
    public static SrgbColorA GetSrgb(this ManagedColor color) => new(color.Value);
}

public readonly struct SrgbColorA : IEquatable<SrgbColorA>
{
    internal SrgbColorA(ColorRgba128Float value) => Value = value;
    internal ColorRgba128Float Value { get; }
    public bool Equals(SrgbColorA other) => Value.R == other.Value.R && Value.G == other.Value.G && Value.B == other.Value.B && Value.A == other.Value.A;
    public override bool Equals(object? obj) => obj is SrgbColorA c && Equals(c);
    public override int GetHashCode() => HashCode.Combine(Value.R, Value.G, Value.B, Value.A);
}

// Metadata items: declared so IEffectDocumentMetadata compiles; the test host's documents carry none.
public sealed class ExifPropertyItem : IEquatable<ExifPropertyItem>, IComparable<ExifPropertyItem>, IComparable
{
    private ExifPropertyItem() { }
    bool IEquatable<ExifPropertyItem>.Equals(ExifPropertyItem? other) => ReferenceEquals(this, other);
    int IComparable<ExifPropertyItem>.CompareTo(ExifPropertyItem? other) => other is null ? 1 : 0;
    int IComparable.CompareTo(object? obj) => obj is null ? 1 : 0;
}

public sealed class IptcPropertyItem : IEquatable<IptcPropertyItem>
{
    private IptcPropertyItem() { }
    bool IEquatable<IptcPropertyItem>.Equals(IptcPropertyItem? other) => ReferenceEquals(this, other);
}

public sealed class XmpPacket
{
    private XmpPacket() { }
}
