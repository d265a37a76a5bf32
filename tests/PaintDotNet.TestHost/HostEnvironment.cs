using PaintDotNet.ComponentModel;
using PaintDotNet.Direct2D1;
using PaintDotNet.Effects;
using PaintDotNet.Hosting;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;

namespace PaintDotNet.TestHost;

/// <summary>The environment Paint.NET attaches to an effect: the document, the selection, the current layer.</summary>
internal sealed class HostEnvironment(HostDocument document, int sourceLayerIndex) : ObjectRef, IBitmapEffectEnvironment
{
    private readonly DocumentInfo _document = new(document);
    private readonly SelectionInfo _selection = new(document.Selection);

    public float BrushSize { get; init; } = 10;
    public int SourceLayerIndex => sourceLayerIndex;
    public IBitmapEffectDocumentInfo Document => _document;
    IEffectDocumentInfo IEffectEnvironment.Document => _document;
    public IBitmapEffectSelectionInfo Selection => _selection;
    IEffectSelectionInfo IEffectEnvironment.Selection => _selection;
    public ManagedColor PrimaryColor => SrgbManagedColor.FromBgra(document.PrimaryColor);
    public ManagedColor SecondaryColor => SrgbManagedColor.FromBgra(document.SecondaryColor);
    public IImagingFactory ImagingFactory { get; } = Imaging.ImagingFactory.CreateRef();
}

internal sealed class DocumentInfo(HostDocument document) : ObjectRef, IBitmapEffectDocumentInfo
{
    private readonly List<LayerInfo> _layers = document.Layers.Select(l => new LayerInfo(l)).ToList();

    public IColorContext ColorContext => SrgbColorContext.Instance;
    public IReadOnlyList<IBitmapEffectLayerInfo> Layers => _layers;
    IReadOnlyList<IEffectLayerInfo> IEffectDocumentInfo.Layers => _layers;
    public IEffectDocumentMetadata Metadata { get; } = new NoMetadata();
    public PixelFormat PixelFormat => PixelFormats.Bgra32;
    public Resolution Resolution => new(96, 96, MeasurementUnit.Inch);
    public SizeInt32 Size => document.Size;

    /// <summary>The flattened image: visible layers, normal blend with opacity, bottom to top.</summary>
    public IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat)
    {
        if (pixelFormat != PixelFormats.Bgra32) throw new NotSupportedException($"The test host renders documents as Bgra32 only, not {pixelFormat}.");
        var flat = MemoryBitmap<ColorBgra32>.Allocate(document.Size);
        foreach (var layer in document.Layers.Where(l => l.Visible))
            for (int y = 0; y < document.Size.Height; y++)
                for (int x = 0; x < document.Size.Width; x++)
                    flat[x, y] = Over(layer[x, y], layer.Opacity, flat[x, y]);
        return flat.AsInput(SrgbColorContext.Instance);
    }

    private static ColorBgra32 Over(ColorBgra32 top, float opacity, ColorBgra32 bottom)
    {
        double a = top.A / 255.0 * opacity, b = bottom.A / 255.0, outA = a + b * (1 - a);
        if (outA <= 0) return default;
        byte Mix(byte t, byte u) => (byte)Math.Round((t * a + u * b * (1 - a)) / outA);
        return new ColorBgra32(Mix(top.B, bottom.B), Mix(top.G, bottom.G), Mix(top.R, bottom.R), (byte)Math.Round(outA * 255));
    }

    private sealed class NoMetadata : IEffectDocumentMetadata
    {
        public IReadOnlyList<ExifPropertyItem> ExifPropertyItems => [];
        public IReadOnlyList<IptcPropertyItem> IptcPropertyItems => [];
        public XmpPacket? XmpPacket => null;
    }
}

internal sealed class LayerInfo(HostLayer layer) : ObjectRef, IBitmapEffectLayerInfo
{
    public LayerBlendMode BlendMode => layer.BlendMode;
    public string Name => layer.Name;
    public float Opacity => layer.Opacity;
    public bool Visible => layer.Visible;
    public IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat) =>
        pixelFormat == PixelFormats.Bgra32 ? layer.Bitmap.AsInput(SrgbColorContext.Instance)
            : throw new NotSupportedException($"The test host gives layers as Bgra32 only, not {pixelFormat}.");
}

internal sealed class SelectionInfo(HostSelection selection) : ObjectRef, IBitmapEffectSelectionInfo
{
    public IEffectInputBitmap<ColorAlpha8> MaskBitmap => selection.Mask.AsInput(null);
    public RectInt32 RenderBounds => selection.RenderBounds;
    public IReadOnlyList<RectInt32> RenderScans => selection.RenderScans;
    public IGeometry Geometry => throw new NotSupportedException("Selection geometry is a Direct2D object; CPU effects use MaskBitmap and RenderScans.");
}

internal sealed class HostServices : IServiceProvider
{
    private readonly IImagingFactory _factory = ImagingFactory.CreateRef();
    public object? GetService(Type serviceType) => serviceType == typeof(IImagingFactory) ? _factory : null;
}
