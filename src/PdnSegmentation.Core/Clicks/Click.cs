using PdnSegmentation.Imaging;

namespace PdnSegmentation.Clicks;

/// <summary>A click on the photo: on the object (<see cref="Positive"/>) or on the background.</summary>
public readonly record struct Click(int X, int Y, bool Positive)
{
    /// <summary>
    /// The bounds of the selection and the object clicks: what the user is building, where a zoomed-in view looks
    /// (inside <paramref name="box"/> when they overlap it).
    /// </summary>
    public static PixelRect SelectionBounds(Mask selection, IEnumerable<Click> clicks, PixelRect? box)
    {
        var bounds = selection.Bounds();
        int x0 = bounds.X, y0 = bounds.Y, x1 = bounds.Right, y1 = bounds.Bottom;
        foreach (var c in clicks)
        {
            if (!c.Positive) continue;
            x0 = Math.Min(x0, c.X); y0 = Math.Min(y0, c.Y);
            x1 = Math.Max(x1, c.X + 1); y1 = Math.Max(y1, c.Y + 1);
        }
        var region = new PixelRect(x0, y0, x1 - x0, y1 - y0);
        return box is { } b && !region.Intersect(b).IsEmpty ? region.Intersect(b) : region;
    }

    public override string ToString() => $"({X},{Y}) {(Positive ? "object" : "background")}";
}
