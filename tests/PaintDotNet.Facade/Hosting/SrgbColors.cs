namespace PaintDotNet.Hosting;

/// <summary>The one colour space the facade knows: sRGB, by EXIF colour space.</summary>
internal sealed class SrgbColorContext : ObjectRef, IColorContext
{
    public static readonly SrgbColorContext Instance = new();
    public ExifColorSpace ExifColorSpace => ExifColorSpace.Srgb;
    public ColorContextType Type => ColorContextType.ExifColorSpace;
    public ReadOnlyMemory<byte> GetProfileBytes() => ReadOnlyMemory<byte>.Empty;
    public bool Equals(IColorContext? other) => other is SrgbColorContext;
}

internal sealed class SrgbManagedColor(ColorRgba128Float value) : ManagedColor
{
    public override IColorContext ColorContext => SrgbColorContext.Instance;
    internal override ColorRgba128Float Value { get; } = value;

    public static SrgbManagedColor FromBgra(ColorBgra32 c) => new(new ColorRgba128Float(c.R / 255f, c.G / 255f, c.B / 255f, c.A / 255f));
}
