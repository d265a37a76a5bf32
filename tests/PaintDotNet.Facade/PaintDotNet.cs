namespace PaintDotNet;

public interface IInternalImpl
{
}

public interface IIsDisposed : IDisposable
{
    bool IsDisposed { get; }
}

public interface IPluginSupportInfo
{
    string? Author { get; }
    string? Copyright { get; }
    string? DisplayName { get; }
    Version? Version { get; }
    Uri? WebsiteUri { get; }
}

[AttributeUsage(AttributeTargets.Assembly|AttributeTargets.Class|AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public class PluginSupportInfoAttribute : Attribute, IPluginSupportInfo
{
    public PluginSupportInfoAttribute() { Version = new Version(); }
    public PluginSupportInfoAttribute(string? displayName, string? author, string? copyright, Version? version, Uri? websiteUri)
    {
        DisplayName = displayName; Author = author; Copyright = copyright; Version = version ?? new Version(); WebsiteUri = websiteUri;
    }
    public PluginSupportInfoAttribute(Type pluginSupportInfoOrProviderType) : this()
    {
        if (Activator.CreateInstance(pluginSupportInfoOrProviderType) is IPluginSupportInfo info)
        {
            DisplayName = info.DisplayName; Author = info.Author; Copyright = info.Copyright; Version = info.Version ?? new Version(); WebsiteUri = info.WebsiteUri;
        }
    }
    public string? Author { get; set; }
    public string? Copyright { get; set; }
    public string? DisplayName { get; set; }
    public Version Version { get; set; }
    public Uri? WebsiteUri { get; set; }
}

public sealed class PluginSupportInfoAttribute<T> : PluginSupportInfoAttribute, IPluginSupportInfo where T : IPluginSupportInfo, new()
{
    public PluginSupportInfoAttribute() : base(typeof(T)) { }
}

public static class ServiceProviderExtensions
{
    public static TService? GetService<TService>(this IServiceProvider serviceProvider) where TService : class => serviceProvider.GetService(typeof(TService)) as TService;
}

public enum LayerBlendMode
{
    Normal = 0,
    Multiply = 1,
    Additive = 2,
    ColorBurn = 3,
    ColorDodge = 4,
    Reflect = 5,
    Glow = 6,
    Overlay = 7,
    Difference = 8,
    Negation = 9,
    Lighten = 10,
    Darken = 11,
    Screen = 12,
    Xor = 13,
}

public readonly struct Resolution
{
    public Resolution(double x, double y, MeasurementUnit units) { X = x; Y = y; Units = units; }
    public MeasurementUnit Units { get; }
    public double X { get; }
    public double Y { get; }
}

public enum MeasurementUnit
{
    Pixel = 1,
    Inch = 2,
    Centimeter = 3,
}

// Members whose Paint.NET declaration ("{ get; }") cannot carry a body are preceded by that declaration as a comment;
// the reflection test checks the compiled surface against api-5.1.9.json.

/// <summary>A 2-D view of unmanaged memory: pointer, size and stride in bytes.</summary>
public unsafe readonly struct RegionPtr<T> : IEquatable<RegionPtr<T>> where T : unmanaged
{
    private readonly object? _owner;

    public RegionPtr(object? owner, T* ptr, SizeInt32 size, int stride) : this(owner, ptr, size.Width, size.Height, stride) { }
    public RegionPtr(object? owner, T* ptr, int width, int height, int stride)
    {
        if (width < 0 || height < 0) throw new ArgumentOutOfRangeException(nameof(width));
        if (height > 1 && stride < width * sizeof(T)) throw new ArgumentOutOfRangeException(nameof(stride));
        _owner = owner;
        Ptr = ptr;
        Width = width;
        Height = height;
        Stride = stride;
    }
    public RegionPtr(T* ptr, SizeInt32 size, int stride) : this(null, ptr, size.Width, size.Height, stride) { }
    public RegionPtr(T* ptr, int width, int height, int stride) : this(null, ptr, width, height, stride) { }
    // public nint Count { get; }
    public nint Count => (nint)Width * Height;
    // public static RegionPtr<T> Empty { get; }
    public static RegionPtr<T> Empty => default;
    public int Height { get; }
    // public bool IsContiguous { get; }
    public bool IsContiguous => Height <= 1 || Stride == Width * sizeof(T);
    // public bool IsEmpty { get; }
    public bool IsEmpty => Width == 0 || Height == 0;
    // public ref T this[Point2Int32 pt] { get; }
    public ref T this[Point2Int32 pt] => ref this[pt.X, pt.Y];
    // public ref T this[int x, int y] { get; }
    public ref T this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside {Width}×{Height}.");
            return ref *(T*)((byte*)Ptr + (nint)y * Stride + (nint)x * sizeof(T));
        }
    }
    public T* Ptr { get; }
    // public RegionRowPtr<T> Row0 { get; }
    public RegionRowPtr<T> Row0 => new(Ptr, Width, 0);
    // public RegionRowPtrCollection<T> Rows { get; }
    public RegionRowPtrCollection<T> Rows => new(this);
    // public SizeInt32 Size { get; }
    public SizeInt32 Size => new(Width, Height);
    public int Stride { get; }
    public int Width { get; }
    public RegionPtr<U> Cast<U>() where U : unmanaged
    {
        long bytes = (long)Width * sizeof(T);
        if (bytes % sizeof(U) != 0) throw new InvalidOperationException($"A row of {Width} {typeof(T).Name} is not a whole number of {typeof(U).Name}.");
        return new RegionPtr<U>(_owner, (U*)Ptr, (int)(bytes / sizeof(U)), Height, Stride);
    }
    public void Clear()
    {
        for (int y = 0; y < Height; y++) RowSpan(y).Clear();
    }
    public void CopyTo(RegionPtr<T> dst)
    {
        if (!TryCopyTo(dst)) throw new ArgumentException($"The destination ({dst.Width}×{dst.Height}) is smaller than the source ({Width}×{Height}).", nameof(dst));
    }
    public bool Equals(RegionPtr<T> other) => Ptr == other.Ptr && Width == other.Width && Height == other.Height && Stride == other.Stride;
    public override bool Equals(object? obj) => obj is RegionPtr<T> r && Equals(r);
    public void Fill(T value)
    {
        for (int y = 0; y < Height; y++) RowSpan(y).Fill(value);
    }
    public override int GetHashCode() => HashCode.Combine((nint)Ptr, Width, Height, Stride);
    public RegionPtr<T> Slice(RectInt32 bounds)
    {
        if (bounds.X < 0 || bounds.Y < 0 || bounds.Width < 0 || bounds.Height < 0 || bounds.Right > Width || bounds.Bottom > Height)
            throw new ArgumentOutOfRangeException(nameof(bounds), $"{bounds} is outside {Width}×{Height}.");
        return new RegionPtr<T>(_owner, (T*)((byte*)Ptr + (nint)bounds.Y * Stride + (nint)bounds.X * sizeof(T)), bounds.Width, bounds.Height, Stride);
    }
    public RegionPtr<T> SliceColumns(int x, int width) => Slice(new RectInt32(x, 0, width, Height));
    public RegionPtr<T> SliceRows(int y, int height) => Slice(new RectInt32(0, y, Width, height));
    public bool TryCopyTo(RegionPtr<T> dst)
    {
        if (dst.Width < Width || dst.Height < Height) return false;
        for (int y = 0; y < Height; y++) RowSpan(y).CopyTo(dst.RowSpan(y));
        return true;
    }
    public static bool operator ==(in RegionPtr<T> region1, in RegionPtr<T> region2) => region1.Equals(region2);
    public static bool operator !=(in RegionPtr<T> region1, in RegionPtr<T> region2) => !region1.Equals(region2);

    internal Span<T> RowSpan(int y) => new((byte*)Ptr + (nint)y * Stride, Width);
}

public static class RegionPtrExtensions
{
    public static bool CheckOffset<T>(this RegionPtr<T> region, Point2Int32 offset) where T : unmanaged => region.CheckOffset(offset.X, offset.Y);
    public static bool CheckOffset<T>(this RegionPtr<T> region, int x, int y) where T : unmanaged => (uint)x < (uint)region.Width && (uint)y < (uint)region.Height;
    public static void CopyToClipped<T>(this RegionPtr<T> src, RegionPtr<T> dst) where T : unmanaged
    {
        int w = Math.Min(src.Width, dst.Width), h = Math.Min(src.Height, dst.Height);
        src.Slice(new RectInt32(0, 0, w, h)).CopyTo(dst);
    }
    public static RegionPtrOffsetView<T> OffsetView<T>(this RegionPtr<T> region, Point2Int32 offset) where T : unmanaged => new(region, offset.X, offset.Y);
    public static RegionPtrOffsetView<T> OffsetView<T>(this RegionPtr<T> region, Vector2Int32 offset) where T : unmanaged => new(region, offset.X, offset.Y);
    public static RegionPtrOffsetView<T> OffsetView<T>(this RegionPtr<T> region, int offsetX, int offsetY) where T : unmanaged => new(region, offsetX, offsetY);
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, Point2Int32 offset) where T : unmanaged =>
        region.Slice(new RectInt32(offset.X, offset.Y, region.Width - offset.X, region.Height - offset.Y));
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, Point2Int32 offset, SizeInt32 size) where T : unmanaged => region.Slice(new RectInt32(offset, size));
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, Point2Int32 offset, int width, int height) where T : unmanaged => region.Slice(new RectInt32(offset, width, height));
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, SizeInt32 size) where T : unmanaged => region.Slice(new RectInt32(0, 0, size.Width, size.Height));
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, int offsetX, int offsetY, SizeInt32 size) where T : unmanaged => region.Slice(new RectInt32(offsetX, offsetY, size));
    public static RegionPtr<T> Slice<T>(this RegionPtr<T> region, int x, int y, int width, int height) where T : unmanaged => region.Slice(new RectInt32(x, y, width, height));
}

/// <summary>A region indexed from another origin: view[x, y] = region[x + offset.X, y + offset.Y].</summary>
public readonly ref struct RegionPtrOffsetView<T> where T : unmanaged
{
    private readonly int _offsetX, _offsetY;

    internal RegionPtrOffsetView(RegionPtr<T> region, int offsetX, int offsetY)
    {
        Region = region;
        _offsetX = offsetX;
        _offsetY = offsetY;
    }
    // public RectInt32 Bounds { get; }
    public RectInt32 Bounds => new(Location, Size);
    // public int Height { get; }
    public int Height => Region.Height;
    // public ref T this[Point2Int32 pt] { get; }
    public ref T this[Point2Int32 pt] => ref Region[pt.X + _offsetX, pt.Y + _offsetY];
    // public ref T this[int x, int y] { get; }
    public ref T this[int x, int y] => ref Region[x + _offsetX, y + _offsetY];
    // public Point2Int32 Location { get; }
    public Point2Int32 Location => new(-_offsetX, -_offsetY);
    public RegionPtr<T> Region { get; }
    // public SizeInt32 Size { get; }
    public SizeInt32 Size => Region.Size;
    // public int Width { get; }
    public int Width => Region.Width;
}

public unsafe readonly ref struct RegionRowPtr<T> where T : unmanaged
{
    internal RegionRowPtr(T* ptr, int width, int y)
    {
        Ptr = ptr;
        Width = width;
        Y = y;
    }
    // public ref T this[int index] { get; }
    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Width) throw new ArgumentOutOfRangeException(nameof(index));
            return ref Ptr[index];
        }
    }
    public T* Ptr { get; }
    // public Span<T> Span { get; }
    public Span<T> Span => new(Ptr, Width);
    public int Width { get; }
    public int Y { get; }
}

public unsafe readonly ref struct RegionRowPtrCollection<T> where T : unmanaged
{
    private readonly RegionPtr<T> _region;

    internal RegionRowPtrCollection(RegionPtr<T> region) => _region = region;
    // public RegionRowPtr<T> this[int y] { get; }
    public RegionRowPtr<T> this[int y]
    {
        get
        {
            if ((uint)y >= (uint)_region.Height) throw new ArgumentOutOfRangeException(nameof(y));
            return new RegionRowPtr<T>((T*)((byte*)_region.Ptr + (nint)y * _region.Stride), _region.Width, y);
        }
    }
}
