namespace PdnSegmentation.Imaging;

/// <summary>Per-pixel opacity in [0, 1], row-major floats.</summary>
public sealed class AlphaMatte
{
    private readonly float[] _alpha;

    public int Width { get; }
    public int Height { get; }

    public AlphaMatte(int width, int height)
    {
        ImageGuard.Size(width, height);
        Width = width;
        Height = height;
        _alpha = new float[checked(width * height)];
    }

    public Span<float> Values => _alpha;

    /// <summary>The values' own array, for the engine's parallel loops (lambdas cannot capture a span).</summary>
    internal float[] ValueArray => _alpha;

    public float this[int x, int y]
    {
        get => _alpha[y * Width + x];
        set => _alpha[y * Width + x] = value;
    }

    /// <summary>A hard matte: 1 where the mask is set, 0 elsewhere.</summary>
    public static AlphaMatte FromMask(Mask mask)
    {
        var matte = new AlphaMatte(mask.Width, mask.Height);
        var bits = mask.Bits;
        for (int i = 0; i < bits.Length; i++)
            matte._alpha[i] = bits[i];
        return matte;
    }

    /// <summary>From 8-bit opacity (0..255).</summary>
    public static AlphaMatte FromBytes(int width, int height, ReadOnlySpan<byte> values)
    {
        var matte = new AlphaMatte(width, height);
        if (values.Length != matte._alpha.Length)
            throw new ArgumentException($"Expected {matte._alpha.Length} values for a {width}×{height} matte, got {values.Length}.");
        for (int i = 0; i < values.Length; i++)
            matte._alpha[i] = values[i] * (1f / 255f);
        return matte;
    }

    /// <summary>8-bit opacity, rounded to nearest and clamped.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[_alpha.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(_alpha[i] * 255f), 0f, 255f);
        return bytes;
    }
}
