using System.Runtime.CompilerServices;

namespace PaintDotNet.Hosting;

internal interface IMemoryBitmap : IBitmap
{
    IBitmap Window(RectInt32 rect);
}

/// <summary>
/// An in-memory bitmap: a pinned array (or a caller's buffer) with a stride. It is also what effects receive as input
/// bitmaps (<see cref="IEffectInputBitmap{TPixel}"/>); those are read-only, and a write lock throws, as in Paint.NET.
/// </summary>
internal sealed unsafe class MemoryBitmap<TPixel> : ObjectRef, IBitmap<TPixel>, IMemoryBitmap, IEffectInputBitmap<TPixel>
    where TPixel : unmanaged, INaturalPixelInfo
{
    private readonly object? _owner; // keeps the pinned array alive
    private readonly byte* _origin;
    private readonly int _stride;
    private readonly bool _readOnly;

    public SizeInt32 Size { get; }
    public Vector2Double Resolution { get; set; } = new(96, 96);
    public PixelFormat PixelFormat => PixelFormats.Of<TPixel>();
    public IColorContext? ColorContext { get; }

    private MemoryBitmap(object? owner, byte* origin, SizeInt32 size, int stride, bool readOnly, IColorContext? colorContext)
    {
        _owner = owner;
        _origin = origin;
        Size = size;
        _stride = stride;
        _readOnly = readOnly;
        ColorContext = colorContext;
    }

    public static MemoryBitmap<TPixel> Allocate(SizeInt32 size, IColorContext? colorContext = null)
    {
        if (size.Width < 0 || size.Height < 0) throw new ArgumentOutOfRangeException(nameof(size));
        int stride = checked(size.Width * sizeof(TPixel));
        var array = GC.AllocateArray<byte>(checked(Math.Max(1, stride * size.Height)), pinned: true);
        return new MemoryBitmap<TPixel>(array, (byte*)Unsafe.AsPointer(ref array[0]), size, stride, false, colorContext);
    }

    public static MemoryBitmap<TPixel> Wrap(void* buffer, SizeInt32 size, int stride, uint bufferSize)
    {
        if ((long)stride * Math.Max(0, size.Height - 1) + (long)size.Width * sizeof(TPixel) > bufferSize)
            throw new ArgumentException("The buffer is smaller than stride × height.", nameof(bufferSize));
        return new MemoryBitmap<TPixel>(null, (byte*)buffer, size, stride, false, null);
    }

    /// <summary>The same pixels, read-only: what an effect gets for a layer or the selection mask.</summary>
    public MemoryBitmap<TPixel> AsInput(IColorContext? colorContext) => new(_owner ?? this, _origin, Size, _stride, true, colorContext);

    public RegionPtr<TPixel> Region => new(this, (TPixel*)_origin, Size, _stride);

    public ref TPixel this[int x, int y] => ref Region[x, y];

    public IBitmap Window(RectInt32 rect)
    {
        CheckInside(rect);
        return new MemoryBitmap<TPixel>(_owner ?? this, _origin + (nint)rect.Y * _stride + (nint)rect.X * sizeof(TPixel), rect.Size, _stride, _readOnly, ColorContext);
    }

    public IBitmapLock<TPixel> Lock(RectInt32 rect, BitmapLockOptions lockOptions)
    {
        if (_readOnly && (lockOptions & BitmapLockOptions.Write) != 0)
            throw new InvalidOperationException("Input bitmaps are read-only: an effect writes only through IBitmapEffectOutput.");
        return LockCore(rect);
    }

    IBitmapLock IBitmap.Lock(RectInt32 rect, BitmapLockOptions lockOptions) => Lock(rect, lockOptions);
    public IBitmapLock<TPixel> Lock(RectInt32 rect) => LockCore(rect);
    IBitmapLock IEffectInputBitmap.Lock(RectInt32 rect) => LockCore(rect);

    private BitmapLock<TPixel> LockCore(RectInt32 rect)
    {
        CheckInside(rect);
        return new BitmapLock<TPixel>(this, (TPixel*)(_origin + (nint)rect.Y * _stride + (nint)rect.X * sizeof(TPixel)), rect.Size, _stride);
    }

    private void CheckInside(RectInt32 rect)
    {
        if (rect.X < 0 || rect.Y < 0 || rect.Width < 0 || rect.Height < 0 || rect.Right > Size.Width || rect.Bottom > Size.Height)
            throw new ArgumentOutOfRangeException(nameof(rect), $"{rect} is outside the {Size.Width}×{Size.Height} bitmap.");
    }

    public void CopyPixels(void* pBuffer, int bufferStride, uint bufferSize, in RectInt32? srcRect)
    {
        var rect = srcRect ?? new RectInt32(Point2Int32.Zero, Size);
        CheckInside(rect);
        long rowBytes = (long)rect.Width * sizeof(TPixel);
        if (rect.Height > 0 && (long)bufferStride * (rect.Height - 1) + rowBytes > bufferSize)
            throw new ArgumentException($"A {bufferSize}-byte buffer with stride {bufferStride} cannot hold {rect.Width}×{rect.Height} pixels.", nameof(bufferSize));
        for (int y = 0; y < rect.Height; y++)
            Buffer.MemoryCopy(_origin + (nint)(rect.Y + y) * _stride + (nint)rect.X * sizeof(TPixel), (byte*)pBuffer + (nint)y * bufferStride, rowBytes, rowBytes);
    }

    public IPalette? GetPalette() => null;
    public void SetPalette(IPalette palette) => throw new NotSupportedException("Palettes are not supported by this facade.");

    /// <summary>A new bitmap holding <paramref name="rect"/> of <paramref name="source"/>; outside pixels are zero or clamped.</summary>
    public static MemoryBitmap<TPixel> CopyOf(IBitmapSource source, RectInt32 rect, BitmapExtendMode mode)
    {
        var full = source as MemoryBitmap<TPixel> ?? Materialise(source);
        var result = Allocate(rect.Size, full.ColorContext);
        var src = full.Region;
        var dst = result.Region;
        for (int y = 0; y < rect.Height; y++)
        {
            int sy = rect.Y + y;
            for (int x = 0; x < rect.Width; x++)
            {
                int sx = rect.X + x;
                bool inside = (uint)sx < (uint)src.Width && (uint)sy < (uint)src.Height;
                if (inside) dst[x, y] = src[sx, sy];
                else if (mode == BitmapExtendMode.Clamp && src.Width > 0 && src.Height > 0)
                    dst[x, y] = src[Math.Clamp(sx, 0, src.Width - 1), Math.Clamp(sy, 0, src.Height - 1)];
                else dst[x, y] = default;
            }
        }
        return result;
    }

    private static MemoryBitmap<TPixel> Materialise(IBitmapSource source)
    {
        var copy = Allocate(source.Size);
        var region = copy.Region;
        source.CopyPixels(region.Ptr, region.Stride, (uint)((long)region.Stride * Math.Max(1, region.Height)), null);
        return copy;
    }
}

internal sealed unsafe class BitmapLock<TPixel>(object owner, TPixel* buffer, SizeInt32 size, int stride) : ObjectRef, IBitmapLock<TPixel>
    where TPixel : unmanaged, INaturalPixelInfo
{
    private readonly object _owner = owner;

    public TPixel* Buffer { get; } = buffer;
    void* IBitmapLock.Buffer => Buffer;
    public uint BufferSize => (uint)Math.Max(0, (long)BufferStride * Math.Max(0, Size.Height - 1) + (long)Size.Width * sizeof(TPixel));
    public int BufferStride { get; } = stride;
    public PixelFormat PixelFormat => PixelFormats.Of<TPixel>();
    public SizeInt32 Size { get; } = size;
    internal object Owner => _owner;
}

internal sealed unsafe class MemoryImagingFactory : ObjectRef, IImagingFactory
{
    public IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat) => CreateBitmap(width, height, pixelFormat, BitmapAllocationOptions.Default);

    public IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, BitmapAllocationOptions options)
    {
        var size = new SizeInt32(width, height);
        if (pixelFormat == PixelFormats.Bgra32) return MemoryBitmap<ColorBgra32>.Allocate(size);
        if (pixelFormat == PixelFormats.Pbgra32) return MemoryBitmap<ColorPbgra32>.Allocate(size);
        if (pixelFormat == PixelFormats.Alpha8) return MemoryBitmap<ColorAlpha8>.Allocate(size);
        if (pixelFormat == PixelFormats.Rgba128Float) return MemoryBitmap<ColorRgba128Float>.Allocate(size);
        throw new NotSupportedException($"This facade does not create {pixelFormat} bitmaps.");
    }

    public IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize) =>
        CreateBitmap(width, height, pixelFormat, pBuffer, bufferStride, bufferSize, BitmapAllocationOptions.Default);

    public IBitmap CreateBitmap(int width, int height, in PixelFormat pixelFormat, void* pBuffer, int bufferStride, uint bufferSize, BitmapAllocationOptions options)
    {
        var size = new SizeInt32(width, height);
        if (pixelFormat == PixelFormats.Bgra32) return MemoryBitmap<ColorBgra32>.Wrap(pBuffer, size, bufferStride, bufferSize);
        if (pixelFormat == PixelFormats.Pbgra32) return MemoryBitmap<ColorPbgra32>.Wrap(pBuffer, size, bufferStride, bufferSize);
        if (pixelFormat == PixelFormats.Alpha8) return MemoryBitmap<ColorAlpha8>.Wrap(pBuffer, size, bufferStride, bufferSize);
        throw new NotSupportedException($"This facade does not wrap {pixelFormat} buffers.");
    }
}
