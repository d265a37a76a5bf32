namespace PdnSegmentation.Imaging;

/// <summary>What a trimap says about one pixel. The byte values are the ones painted in trimap images.</summary>
public enum TrimapLabel : byte
{
    Background = 0,
    Unknown = 128,
    Foreground = 255,
}

/// <summary>
/// A trimap: definite foreground, definite background and an unknown band in between, one byte per pixel.
/// Reading a painted trimap maps 0 to background, 255 to foreground and every other grey to unknown.
/// </summary>
public sealed class Trimap
{
    private readonly byte[] _labels;

    public int Width { get; }
    public int Height { get; }

    public Trimap(int width, int height, TrimapLabel fill = TrimapLabel.Unknown)
    {
        ImageGuard.Size(width, height);
        Width = width;
        Height = height;
        _labels = new byte[checked(width * height)];
        if (fill != 0) _labels.AsSpan().Fill((byte)fill);
    }

    /// <summary>From painted grey values: 0 = background, 255 = foreground, anything else = unknown.</summary>
    public static Trimap FromGray(int width, int height, ReadOnlySpan<byte> gray)
    {
        var trimap = new Trimap(width, height);
        if (gray.Length != trimap._labels.Length)
            throw new ArgumentException($"Expected {trimap._labels.Length} grey values for a {width}×{height} trimap, got {gray.Length}.");
        for (int i = 0; i < gray.Length; i++)
        {
            byte g = gray[i];
            trimap._labels[i] = g == 0 ? (byte)TrimapLabel.Background : g == 255 ? (byte)TrimapLabel.Foreground : (byte)TrimapLabel.Unknown;
        }
        return trimap;
    }

    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>The labels' own array, for the engine's parallel loops (lambdas cannot capture a span); not to be written.</summary>
    internal byte[] LabelArray => _labels;

    public TrimapLabel this[int x, int y]
    {
        get => (TrimapLabel)_labels[y * Width + x];
        set => _labels[y * Width + x] = (byte)value;
    }

    internal void SetIndex(int index, TrimapLabel label) => _labels[index] = (byte)label;

    public long Count(TrimapLabel label) => _labels.AsSpan().Count((byte)label);
}
