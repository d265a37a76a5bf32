namespace PdnSegmentation.Imaging;

/// <summary>
/// An 8-bit BGRA image with straight (non-premultiplied) alpha, laid out like Paint.NET's <c>ColorBgra32</c>
/// surfaces: rows of <see cref="Width"/> pixels, each B, G, R, A, rows <see cref="Stride"/> bytes apart.
/// The engine reads colour from B, G, R; alpha is carried through untouched by segmentation.
/// </summary>
public sealed class ColorImage
{
    public const int BytesPerPixel = 4;

    private readonly byte[] _data;

    public int Width { get; }
    public int Height { get; }
    /// <summary>Bytes from the start of one row to the next (at least Width * 4).</summary>
    public int Stride { get; }
    public long PixelCount => (long)Width * Height;

    public ColorImage(int width, int height) : this(width, height, checked(width * BytesPerPixel)) { }

    public ColorImage(int width, int height, int stride)
    {
        ImageGuard.Size(width, height);
        if (stride < width * BytesPerPixel)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"Stride must be at least width × 4 = {width * BytesPerPixel} bytes.");
        Width = width;
        Height = height;
        Stride = stride;
        _data = GC.AllocateUninitializedArray<byte>(checked(stride * height));
    }

    /// <summary>Wraps existing BGRA bytes without copying.</summary>
    public ColorImage(int width, int height, int stride, byte[] data)
    {
        ImageGuard.Size(width, height);
        if (stride < width * BytesPerPixel)
            throw new ArgumentOutOfRangeException(nameof(stride));
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < (long)stride * (height - 1) + width * BytesPerPixel)
            throw new ArgumentException("The pixel buffer is smaller than stride × height.", nameof(data));
        Width = width;
        Height = height;
        Stride = stride;
        _data = data;
    }

    public Span<byte> Data => _data;

    /// <summary>The pixel buffer itself, for engine loops that run in lambdas (spans cannot be captured); never copied.</summary>
    internal byte[] Buffer => _data;

    public Span<byte> Row(int y) => _data.AsSpan(y * Stride, Width * BytesPerPixel);

    public Bgra32 this[int x, int y]
    {
        get
        {
            int i = y * Stride + x * BytesPerPixel;
            return new Bgra32(_data[i], _data[i + 1], _data[i + 2], _data[i + 3]);
        }
        set
        {
            int i = y * Stride + x * BytesPerPixel;
            _data[i] = value.B; _data[i + 1] = value.G; _data[i + 2] = value.R; _data[i + 3] = value.A;
        }
    }

    public ColorImage Clone()
    {
        var copy = new ColorImage(Width, Height, Stride);
        _data.AsSpan().CopyTo(copy._data);
        return copy;
    }

    /// <summary>A copy of the pixels inside <paramref name="rect"/> (which must lie inside the image).</summary>
    public ColorImage Crop(PixelRect rect)
    {
        if (rect.IsEmpty || rect.X < 0 || rect.Y < 0 || rect.Right > Width || rect.Bottom > Height)
            throw new ArgumentOutOfRangeException(nameof(rect), rect, $"The crop must lie inside the {Width}×{Height} image.");
        var crop = new ColorImage(rect.Width, rect.Height);
        for (int y = 0; y < rect.Height; y++)
            _data.AsSpan((rect.Y + y) * Stride + rect.X * BytesPerPixel, rect.Width * BytesPerPixel).CopyTo(crop.Row(y));
        return crop;
    }

    public bool SameSize(int width, int height) => Width == width && Height == height;
}

/// <summary>One straight-alpha pixel in Paint.NET's byte order.</summary>
public readonly record struct Bgra32(byte B, byte G, byte R, byte A)
{
    public static Bgra32 FromRgb(byte r, byte g, byte b) => new(b, g, r, 255);
}
