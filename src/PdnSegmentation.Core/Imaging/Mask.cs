namespace PdnSegmentation.Imaging;

/// <summary>
/// A binary per-pixel mask, one byte per pixel (0 = unset, 1 = set), rows packed without padding.
/// </summary>
public sealed class Mask
{
    private readonly byte[] _bits;

    public int Width { get; }
    public int Height { get; }

    public Mask(int width, int height)
    {
        ImageGuard.Size(width, height);
        Width = width;
        Height = height;
        _bits = new byte[checked(width * height)];
    }

    /// <summary>Every pixel inside <paramref name="rect"/> (clipped to the mask) is set.</summary>
    public static Mask FromRectangle(int width, int height, PixelRect rect)
    {
        var mask = new Mask(width, height);
        var r = rect.Intersect(new PixelRect(0, 0, width, height));
        for (int y = r.Y; y < r.Bottom; y++)
            mask._bits.AsSpan(y * width + r.X, r.Width).Fill(1);
        return mask;
    }

    /// <summary>Set where <paramref name="values"/> is non-zero (e.g. an 8-bit mask image, 0 / 255).</summary>
    public static Mask FromBytes(int width, int height, ReadOnlySpan<byte> values)
    {
        var mask = new Mask(width, height);
        if (values.Length != mask._bits.Length)
            throw new ArgumentException($"Expected {mask._bits.Length} values for a {width}×{height} mask, got {values.Length}.");
        for (int i = 0; i < values.Length; i++)
            mask._bits[i] = values[i] != 0 ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>
    /// Set where an 8-bit coverage is at least half (128 or more): a selection as Paint.NET hands one to an effect, or a
    /// saved selection image, so an antialiased edge counts as Paint.NET counts it.
    /// </summary>
    public static Mask FromCoverage(int width, int height, ReadOnlySpan<byte> coverage)
    {
        var mask = new Mask(width, height);
        if (coverage.Length != mask._bits.Length)
            throw new ArgumentException($"Expected {mask._bits.Length} values for a {width}×{height} mask, got {coverage.Length}.");
        for (int i = 0; i < coverage.Length; i++)
            mask._bits[i] = coverage[i] >= 128 ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>Set where a probability (or alpha) is at least <paramref name="threshold"/>: a model's or matte's hard mask.</summary>
    public static Mask FromProbability(int width, int height, ReadOnlySpan<float> probability, float threshold = 0.5f)
    {
        var mask = new Mask(width, height);
        if (probability.Length != mask._bits.Length)
            throw new ArgumentException($"Expected {mask._bits.Length} values for a {width}×{height} mask, got {probability.Length}.");
        for (int i = 0; i < probability.Length; i++)
            mask._bits[i] = probability[i] >= threshold ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>Raw 0/1 values, row-major.</summary>
    public Span<byte> Bits => _bits;

    public bool this[int x, int y]
    {
        get => _bits[y * Width + x] != 0;
        set => _bits[y * Width + x] = value ? (byte)1 : (byte)0;
    }

    public long CountSet()
    {
        // Counting zeros with the vectorised Count is much faster than a scalar loop on 24 MP masks.
        return _bits.Length - (long)_bits.AsSpan().Count((byte)0);
    }

    public bool IsEmpty => _bits.AsSpan().IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The smallest rectangle holding every set pixel, or an empty rectangle when none is set.</summary>
    public PixelRect Bounds()
    {
        int minX = Width, minY = Height, maxX = -1, maxY = -1;
        for (int y = 0; y < Height; y++)
        {
            var row = _bits.AsSpan(y * Width, Width);
            int first = row.IndexOfAnyExcept((byte)0);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyExcept((byte)0);
            if (y < minY) minY = y;
            maxY = y;
            if (first < minX) minX = first;
            if (last > maxX) maxX = last;
        }
        return maxY < 0 ? default : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>The mask as 8-bit values 0 / 255, ready to save as a grey image.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[_bits.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = _bits[i] != 0 ? (byte)255 : (byte)0;
        return bytes;
    }

    public Mask Clone()
    {
        var copy = new Mask(Width, Height);
        _bits.AsSpan().CopyTo(copy._bits);
        return copy;
    }

    public Mask Invert()
    {
        var inverted = new Mask(Width, Height);
        for (int i = 0; i < _bits.Length; i++)
            inverted._bits[i] = (byte)(_bits[i] ^ 1);
        return inverted;
    }
}
