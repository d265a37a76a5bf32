using System.Globalization;

namespace PaintDotNet.Rendering;

// Members whose Paint.NET declaration ("{ get; }") cannot carry a body are preceded by that declaration as a comment;
// the reflection test checks the compiled surface against api-5.1.9.json.

public struct RectInt32 : IEquatable<RectInt32>, IFormattable, IParsable<RectInt32>
{
    public RectInt32(Point2Int32 location, SizeInt32 size) : this(location.X, location.Y, size.Width, size.Height) { }
    public RectInt32(Point2Int32 location, int width, int height) : this(location.X, location.Y, width, height) { }
    public RectInt32(int x, int y, SizeInt32 size) : this(x, y, size.Width, size.Height) { }
    public RectInt32(int x, int y, int width, int height) { X = x; Y = y; Width = width; Height = height; }
    // public readonly long Area { get; }
    public readonly long Area => HasArea ? (long)Width * Height : 0;
    // public readonly int Bottom { get; }
    public readonly int Bottom => Y + Height;
    // public readonly bool HasArea { get; }
    public readonly bool HasArea => Width > 0 && Height > 0;
    public int Height { readonly get; set; }
    // public readonly bool IsEmpty { get; }
    public readonly bool IsEmpty => Width < 0 || Height < 0 || (X == 0 && Y == 0 && Width == 0 && Height == 0);
    // public readonly int Left { get; }
    public readonly int Left => X;
    // public Point2Int32 Location { get; set; }
    public Point2Int32 Location { readonly get => new(X, Y); set { X = value.X; Y = value.Y; } }
    // public readonly int Right { get; }
    public readonly int Right => X + Width;
    // public SizeInt32 Size { readonly get; set; }
    public SizeInt32 Size { readonly get => new(Width, Height); set { Width = value.Width; Height = value.Height; } }
    // public readonly int Top { get; }
    public readonly int Top => Y;
    public int Width { readonly get; set; }
    public int X { readonly get; set; }
    public int Y { readonly get; set; }
    // public static RectInt32 Zero { get; }
    public static RectInt32 Zero => default;
    public readonly bool Contains(Point2Int32 pt) => Contains(pt.X, pt.Y);
    public readonly bool Contains(RectInt32 rect) => rect.X >= X && rect.Y >= Y && rect.Right <= Right && rect.Bottom <= Bottom;
    public readonly bool Contains(int x, int y) => x >= X && y >= Y && x < Right && y < Bottom;
    public bool Equals(RectInt32 other) => X == other.X && Y == other.Y && Width == other.Width && Height == other.Height;
    public override readonly bool Equals(object? obj) => obj is RectInt32 r && r.X == X && r.Y == Y && r.Width == Width && r.Height == Height;
    public static RectInt32 FromEdges(int leftOrRight, int topOrBottom, int rightOrLeft, int bottomOrTop)
    {
        int left = Math.Min(leftOrRight, rightOrLeft), right = Math.Max(leftOrRight, rightOrLeft);
        int top = Math.Min(topOrBottom, bottomOrTop), bottom = Math.Max(topOrBottom, bottomOrTop);
        return new RectInt32(left, top, right - left, bottom - top);
    }
    public override readonly int GetHashCode() => HashCode.Combine(X, Y, Width, Height);
    public static RectInt32 Inflate(RectInt32 rect, int dx, int dy) => new(rect.X - dx, rect.Y - dy, rect.Width + 2 * dx, rect.Height + 2 * dy);
    public static RectInt32 Inflate(RectInt32 rect, int left, int top, int right, int bottom) => new(rect.X - left, rect.Y - top, rect.Width + left + right, rect.Height + top + bottom);
    public void Inflate(int dx, int dy) => this = Inflate(this, dx, dy);
    public void Intersect(RectInt32 rect) => this = Intersect(this, rect);
    public static RectInt32 Intersect(RectInt32 a, RectInt32 b)
    {
        int left = Math.Max(a.X, b.X), top = Math.Max(a.Y, b.Y), right = Math.Min(a.Right, b.Right), bottom = Math.Min(a.Bottom, b.Bottom);
        return right <= left || bottom <= top ? Zero : new RectInt32(left, top, right - left, bottom - top);
    }
    public readonly bool IntersectsWith(RectInt32 rect) => rect.X < Right && X < rect.Right && rect.Y < Bottom && Y < rect.Bottom;
    public void Offset(Point2Int32 delta) => Offset(delta.X, delta.Y);
    public static RectInt32 Offset(RectInt32 rect, Point2Int32 offset) => new(rect.X + offset.X, rect.Y + offset.Y, rect.Width, rect.Height);
    public static RectInt32 Offset(RectInt32 rect, Vector2Int32 offset) => new(rect.X + offset.X, rect.Y + offset.Y, rect.Width, rect.Height);
    public static RectInt32 Offset(RectInt32 rect, int dx, int dy) => new(rect.X + dx, rect.Y + dy, rect.Width, rect.Height);
    public void Offset(int dx, int dy) { X += dx; Y += dy; }
    public override readonly string ToString() => ToString(null, CultureInfo.CurrentCulture);
    public readonly string ToString(IFormatProvider? provider) => ToString(null, provider);
    public readonly string ToString(string? format, IFormatProvider? provider) =>
        string.Join(", ", X.ToString(format, provider), Y.ToString(format, provider), Width.ToString(format, provider), Height.ToString(format, provider));
    public void Union(RectInt32 rect) => this = Union(this, rect);
    public static RectInt32 Union(RectInt32 a, RectInt32 b)
    {
        if (!a.HasArea) return b;
        if (!b.HasArea) return a;
        return FromEdges(Math.Min(a.X, b.X), Math.Min(a.Y, b.Y), Math.Max(a.Right, b.Right), Math.Max(a.Bottom, b.Bottom));
    }
    public static bool operator ==(RectInt32 a, RectInt32 b) => a.Equals(b);
    public static bool operator ==(RectInt32 a, Rectangle b) => a.X == b.X && a.Y == b.Y && a.Width == b.Width && a.Height == b.Height;
    public static bool operator ==(Rectangle a, RectInt32 b) => b == a;
    public static bool operator !=(RectInt32 a, RectInt32 b) => !a.Equals(b);
    public static bool operator !=(RectInt32 a, Rectangle b) => !(a == b);
    public static bool operator !=(Rectangle a, RectInt32 b) => !(b == a);
    public static RectInt32 Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var r) ? r : throw new FormatException($"'{s}' is not a rectangle (x, y, width, height).");
    public static bool TryParse(string? s, IFormatProvider? provider, out RectInt32 result)
    {
        result = default;
        var p = s?.Split(',', StringSplitOptions.TrimEntries);
        if (p is not { Length: 4 }) return false;
        if (!int.TryParse(p[0], NumberStyles.Integer, provider, out int x) || !int.TryParse(p[1], NumberStyles.Integer, provider, out int y) ||
            !int.TryParse(p[2], NumberStyles.Integer, provider, out int w) || !int.TryParse(p[3], NumberStyles.Integer, provider, out int h)) return false;
        result = new RectInt32(x, y, w, h);
        return true;
    }
}

public struct SizeInt32 : IEquatable<SizeInt32>, IFormattable, IParsable<SizeInt32>
{
    public SizeInt32(int width, int height) { Width = width; Height = height; }
    // public readonly long Area { get; }
    public readonly long Area => HasArea ? (long)Width * Height : 0;
    // public readonly bool HasArea { get; }
    public readonly bool HasArea => Width > 0 && Height > 0;
    public int Height { readonly get; set; }
    // public readonly bool IsEmpty { get; }
    public readonly bool IsEmpty => Width < 0 || Height < 0 || (Width == 0 && Height == 0);
    public int Width { readonly get; set; }
    // public static SizeInt32 Zero { get; }
    public static SizeInt32 Zero => default;
    public readonly bool Equals(SizeInt32 other) => Width == other.Width && Height == other.Height;
    public override readonly bool Equals(object? obj) => obj is SizeInt32 s && Equals(s);
    public override readonly int GetHashCode() => HashCode.Combine(Width, Height);
    public override readonly string ToString() => ToString(null, CultureInfo.CurrentCulture);
    public readonly string ToString(IFormatProvider? provider) => ToString(null, provider);
    public readonly string ToString(string? format, IFormatProvider? provider) => $"{Width.ToString(format, provider)}, {Height.ToString(format, provider)}";
    public static bool operator ==(SizeInt32 lhs, SizeInt32 rhs) => lhs.Equals(rhs);
    public static bool operator ==(SizeInt32 a, Size b) => a.Width == b.Width && a.Height == b.Height;
    public static bool operator ==(Size a, SizeInt32 b) => b == a;
    public static bool operator !=(SizeInt32 lhs, SizeInt32 rhs) => !lhs.Equals(rhs);
    public static bool operator !=(SizeInt32 a, Size b) => !(a == b);
    public static bool operator !=(Size a, SizeInt32 b) => !(b == a);
    public static SizeInt32 Parse(string s, IFormatProvider? provider) => TryParse(s, provider, out var r) ? r : throw new FormatException($"'{s}' is not a size.");
    public static bool TryParse(string? s, IFormatProvider? provider, out SizeInt32 result)
    {
        result = default;
        var p = s?.Split(',', StringSplitOptions.TrimEntries);
        if (p is not { Length: 2 } || !int.TryParse(p[0], NumberStyles.Integer, provider, out int w) || !int.TryParse(p[1], NumberStyles.Integer, provider, out int h)) return false;
        result = new SizeInt32(w, h);
        return true;
    }
}

public struct Point2Int32 : IEquatable<Point2Int32>, IFormattable, IParsable<Point2Int32>
{
    public Point2Int32(int x, int y) { X = x; Y = y; }
    public int X { readonly get; set; }
    public int Y { readonly get; set; }
    // public static Point2Int32 Zero { get; }
    public static Point2Int32 Zero => default;
    public readonly bool Equals(Point2Int32 other) => X == other.X && Y == other.Y;
    public override readonly bool Equals(object? obj) => obj is Point2Int32 p && Equals(p);
    public override readonly int GetHashCode() => HashCode.Combine(X, Y);
    public static Point2Int32 Offset(Point2Int32 pt, Point2Int32 offset) => new(pt.X + offset.X, pt.Y + offset.Y);
    public static Point2Int32 Offset(Point2Int32 pt, Vector2Int32 offset) => new(pt.X + offset.X, pt.Y + offset.Y);
    public static Point2Int32 Offset(Point2Int32 pt, int dx, int dy) => new(pt.X + dx, pt.Y + dy);
    public override readonly string ToString() => ToString(null, CultureInfo.CurrentCulture);
    public readonly string ToString(IFormatProvider? provider) => ToString(null, provider);
    public readonly string ToString(string? format, IFormatProvider? provider) => $"{X.ToString(format, provider)}, {Y.ToString(format, provider)}";
    public static Point2Int32 operator +(Point2Int32 lhs, Vector2Int32 rhs) => new(lhs.X + rhs.X, lhs.Y + rhs.Y);
    public static bool operator ==(Point2Int32 lhs, Point2Int32 rhs) => lhs.Equals(rhs);
    public static bool operator ==(Point2Int32 a, Point b) => a.X == b.X && a.Y == b.Y;
    public static bool operator ==(Point a, Point2Int32 b) => b == a;
    public static bool operator !=(Point2Int32 lhs, Point2Int32 rhs) => !lhs.Equals(rhs);
    public static bool operator !=(Point2Int32 a, Point b) => !(a == b);
    public static bool operator !=(Point a, Point2Int32 b) => !(b == a);
    public static Vector2Int32 operator -(Point2Int32 lhs, Point2Int32 rhs) => new(lhs.X - rhs.X, lhs.Y - rhs.Y);
    public static Point2Int32 operator -(Point2Int32 lhs, Vector2Int32 rhs) => new(lhs.X - rhs.X, lhs.Y - rhs.Y);
    public static Point2Int32 operator -(Point2Int32 pt) => new(-pt.X, -pt.Y);
    public static Point2Int32 Parse(string s, IFormatProvider? provider) => TryParse(s, provider, out var r) ? r : throw new FormatException($"'{s}' is not a point.");
    public static bool TryParse(string? s, IFormatProvider? provider, out Point2Int32 result)
    {
        result = default;
        var p = s?.Split(',', StringSplitOptions.TrimEntries);
        if (p is not { Length: 2 } || !int.TryParse(p[0], NumberStyles.Integer, provider, out int x) || !int.TryParse(p[1], NumberStyles.Integer, provider, out int y)) return false;
        result = new Point2Int32(x, y);
        return true;
    }
}

public struct Vector2Int32 : IEquatable<Vector2Int32>, IFormattable, IParsable<Vector2Int32>
{
    public Vector2Int32(int xy) { X = xy; Y = xy; }
    public Vector2Int32(int x, int y) { X = x; Y = y; }
    public int X { readonly get; set; }
    public int Y { readonly get; set; }
    public readonly bool Equals(Vector2Int32 other) => X == other.X && Y == other.Y;
    public override readonly bool Equals(object? obj) => obj is Vector2Int32 v && Equals(v);
    public override readonly int GetHashCode() => HashCode.Combine(X, Y);
    public override readonly string ToString() => ToString(null, CultureInfo.CurrentCulture);
    public readonly string ToString(string? format, IFormatProvider? provider) => $"{X.ToString(format, provider)}, {Y.ToString(format, provider)}";
    public static Vector2Int32 Parse(string s, IFormatProvider? provider) => TryParse(s, provider, out var r) ? r : throw new FormatException($"'{s}' is not a vector.");
    public static bool TryParse(string? s, IFormatProvider? provider, out Vector2Int32 result)
    {
        result = default;
        var p = s?.Split(',', StringSplitOptions.TrimEntries);
        if (p is not { Length: 2 } || !int.TryParse(p[0], NumberStyles.Integer, provider, out int x) || !int.TryParse(p[1], NumberStyles.Integer, provider, out int y)) return false;
        result = new Vector2Int32(x, y);
        return true;
    }
}

public struct Vector2Double : IEquatable<Vector2Double>, IFormattable, IParsable<Vector2Double>
{
    public Vector2Double(double xy) { X = xy; Y = xy; }
    public Vector2Double(double x, double y) { X = x; Y = y; }
    public double X { readonly get; set; }
    public double Y { readonly get; set; }
    public readonly bool Equals(Vector2Double other) => X.Equals(other.X) && Y.Equals(other.Y);
    public override readonly bool Equals(object? obj) => obj is Vector2Double v && Equals(v);
    public override readonly int GetHashCode() => HashCode.Combine(X, Y);
    public override readonly string ToString() => ToString(null, CultureInfo.CurrentCulture);
    public readonly string ToString(string? format, IFormatProvider? provider) => $"{X.ToString(format, provider)}, {Y.ToString(format, provider)}";
    public static Vector2Double Parse(string s, IFormatProvider? provider) => TryParse(s, provider, out var r) ? r : throw new FormatException($"'{s}' is not a vector.");
    public static bool TryParse(string? s, IFormatProvider? provider, out Vector2Double result)
    {
        result = default;
        var p = s?.Split(',', StringSplitOptions.TrimEntries);
        if (p is not { Length: 2 } || !double.TryParse(p[0], NumberStyles.Float, provider, out double x) || !double.TryParse(p[1], NumberStyles.Float, provider, out double y)) return false;
        result = new Vector2Double(x, y);
        return true;
    }
}
