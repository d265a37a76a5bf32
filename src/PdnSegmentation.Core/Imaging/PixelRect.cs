namespace PdnSegmentation.Imaging;

/// <summary>An axis-aligned pixel rectangle: columns X..X+Width-1, rows Y..Y+Height-1.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;
    public long Area => IsEmpty ? 0 : (long)Width * Height;

    public bool Contains(int x, int y) => x >= X && x < Right && y >= Y && y < Bottom;

    /// <summary>Whether <paramref name="inner"/> lies wholly inside this rectangle.</summary>
    public bool Contains(PixelRect inner) => inner.X >= X && inner.Y >= Y && inner.Right <= Right && inner.Bottom <= Bottom;

    /// <summary>Grown by <paramref name="fraction"/> of its width and height on each side (rounded to whole pixels).</summary>
    public PixelRect Grow(double fraction)
    {
        int gx = (int)Math.Round(fraction * Width), gy = (int)Math.Round(fraction * Height);
        return new PixelRect(X - gx, Y - gy, Width + 2 * gx, Height + 2 * gy);
    }

    public PixelRect Intersect(PixelRect other)
    {
        int x0 = Math.Max(X, other.X), y0 = Math.Max(Y, other.Y);
        int x1 = Math.Min(Right, other.Right), y1 = Math.Min(Bottom, other.Bottom);
        return x1 <= x0 || y1 <= y0 ? default : new PixelRect(x0, y0, x1 - x0, y1 - y0);
    }

    public PixelRect Inflate(int by) => new(X - by, Y - by, Width + 2 * by, Height + 2 * by);

    public override string ToString() => $"{X},{Y},{Width},{Height}";
}
