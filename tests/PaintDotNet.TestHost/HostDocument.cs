using PaintDotNet.Effects;
using PaintDotNet.Hosting;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;

namespace PaintDotNet.TestHost;

/// <summary>One layer: its name, pixels (straight-alpha BGRA) and how it composites.</summary>
public sealed class HostLayer
{
    internal MemoryBitmap<ColorBgra32> Bitmap { get; }

    public HostLayer(string name, SizeInt32 size)
    {
        Name = name;
        Bitmap = MemoryBitmap<ColorBgra32>.Allocate(size);
    }

    public string Name { get; set; }
    public bool Visible { get; set; } = true;
    public float Opacity { get; set; } = 1;
    public LayerBlendMode BlendMode { get; set; } = LayerBlendMode.Normal;
    public SizeInt32 Size => Bitmap.Size;

    public ColorBgra32 this[int x, int y]
    {
        get => Bitmap[x, y];
        set => Bitmap[x, y] = value;
    }

    /// <summary>The pixels as one array, row-major, for comparisons.</summary>
    public ColorBgra32[] ToArray()
    {
        var result = new ColorBgra32[Size.Width * Size.Height];
        for (int y = 0; y < Size.Height; y++)
            for (int x = 0; x < Size.Width; x++)
                result[y * Size.Width + x] = Bitmap[x, y];
        return result;
    }

    public void CopyFrom(ReadOnlySpan<ColorBgra32> pixels)
    {
        if (pixels.Length != Size.Width * Size.Height) throw new ArgumentException("One pixel per layer pixel is needed.");
        for (int y = 0; y < Size.Height; y++)
            for (int x = 0; x < Size.Width; x++)
                Bitmap[x, y] = pixels[y * Size.Width + x];
    }
}

/// <summary>A selection: per-pixel coverage (0..255) and the rectangles Paint.NET renders ("render scans").</summary>
public sealed class HostSelection
{
    internal MemoryBitmap<ColorAlpha8> Mask { get; }
    public IReadOnlyList<RectInt32> RenderScans { get; }
    public RectInt32 RenderBounds { get; }
    /// <summary>True when nothing is selected (Paint.NET then treats the whole canvas as selected).</summary>
    public bool IsWholeCanvas { get; }

    private HostSelection(MemoryBitmap<ColorAlpha8> mask, bool wholeCanvas)
    {
        Mask = mask;
        IsWholeCanvas = wholeCanvas;
        var scans = new List<RectInt32>();
        var size = mask.Size;
        for (int y = 0; y < size.Height; y++)
        {
            int x = 0;
            while (x < size.Width)
            {
                while (x < size.Width && mask[x, y].A == 0) x++;
                int start = x;
                while (x < size.Width && mask[x, y].A != 0) x++;
                if (x > start) scans.Add(new RectInt32(start, y, x - start, 1));
            }
        }
        RenderScans = scans;
        RenderBounds = scans.Aggregate(RectInt32.Zero, RectInt32.Union);
    }

    public byte Coverage(int x, int y) => Mask[x, y].A;

    public static HostSelection WholeCanvas(SizeInt32 size) => FromCoverage(size, (_, _) => 255, wholeCanvas: true);
    public static HostSelection Rectangle(SizeInt32 size, RectInt32 rect) => FromCoverage(size, (x, y) => rect.Contains(x, y) ? (byte)255 : (byte)0);

    /// <summary>A lasso: the polygon's inside (pixel centres, even–odd rule), hard-edged.</summary>
    public static HostSelection Lasso(SizeInt32 size, IReadOnlyList<(double X, double Y)> polygon) =>
        FromCoverage(size, (x, y) => Inside(polygon, x + 0.5, y + 0.5) ? (byte)255 : (byte)0);

    public static HostSelection FromCoverage(SizeInt32 size, Func<int, int, byte> coverage, bool wholeCanvas = false)
    {
        var mask = MemoryBitmap<ColorAlpha8>.Allocate(size);
        for (int y = 0; y < size.Height; y++)
            for (int x = 0; x < size.Width; x++)
                mask[x, y] = new ColorAlpha8(coverage(x, y));
        return new HostSelection(mask, wholeCanvas);
    }

    private static bool Inside(IReadOnlyList<(double X, double Y)> p, double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = p.Count - 1; i < p.Count; j = i++)
            if ((p[i].Y > y) != (p[j].Y > y) && x < (p[j].X - p[i].X) * (y - p[i].Y) / (p[j].Y - p[i].Y) + p[i].X) inside = !inside;
        return inside;
    }
}

/// <summary>A Paint.NET document: equal-size layers (index 0 = bottom), a selection and the palette colours.</summary>
public sealed class HostDocument
{
    public HostDocument(SizeInt32 size)
    {
        Size = size;
        Selection = HostSelection.WholeCanvas(size);
    }

    public SizeInt32 Size { get; }
    public List<HostLayer> Layers { get; } = new();
    public HostSelection Selection { get; set; }
    public ColorBgra32 PrimaryColor { get; set; } = new(0, 0, 0, 255);
    public ColorBgra32 SecondaryColor { get; set; } = new(255, 255, 255, 255);

    public HostLayer AddLayer(string name)
    {
        var layer = new HostLayer(name, Size);
        Layers.Add(layer);
        return layer;
    }

    /// <summary>Adds a layer painted by <paramref name="pixel"/>(x, y).</summary>
    public HostLayer AddLayer(string name, Func<int, int, ColorBgra32> pixel)
    {
        var layer = AddLayer(name);
        for (int y = 0; y < Size.Height; y++)
            for (int x = 0; x < Size.Width; x++)
                layer[x, y] = pixel(x, y);
        return layer;
    }

    public int IndexOf(string name) => Layers.FindIndex(l => l.Name == name);
}
