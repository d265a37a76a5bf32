using PdnSegmentation.Imaging;

namespace PdnSegmentation.Scribbles;

/// <summary>
/// A user's strokes: pixels painted as surely object and as surely background. Scribble-driven tools treat them as
/// hard constraints, so every stroked pixel keeps its label.
/// </summary>
public sealed record ScribbleMasks(Mask Foreground, Mask Background)
{
    /// <summary>
    /// Reads one painted scribble image: pixels within <paramref name="tolerance"/> (per channel) of
    /// <paramref name="foreground"/> are object strokes, of <paramref name="background"/> background strokes, anything
    /// else unmarked. Transparent pixels (alpha below 128) are unmarked whatever their colour, so a stroke layer
    /// painted over transparency reads as expected.
    /// </summary>
    public static ScribbleMasks FromColorImage(ColorImage scribbles, Bgra32 foreground, Bgra32 background, int tolerance = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        int w = scribbles.Width, h = scribbles.Height;
        var fg = new Mask(w, h);
        var bg = new Mask(w, h);
        for (int y = 0; y < h; y++)
        {
            var row = scribbles.Row(y);
            for (int x = 0; x < w; x++)
            {
                byte b = row[4 * x], g = row[4 * x + 1], r = row[4 * x + 2];
                if (row[4 * x + 3] < 128) continue;
                if (Near(b, g, r, foreground, tolerance)) fg[x, y] = true;
                else if (Near(b, g, r, background, tolerance)) bg[x, y] = true;
            }
        }
        return new ScribbleMasks(fg, bg);
    }

    /// <summary>True when some pixel colour could be read as either stroke colour (each channel within 2 × tolerance).</summary>
    public static bool ColorsIndistinguishable(Bgra32 a, Bgra32 b, int tolerance) =>
        Math.Abs(a.R - b.R) <= 2 * tolerance && Math.Abs(a.G - b.G) <= 2 * tolerance && Math.Abs(a.B - b.B) <= 2 * tolerance;

    private static bool Near(byte b, byte g, byte r, Bgra32 c, int tolerance) =>
        Math.Abs(b - c.B) <= tolerance && Math.Abs(g - c.G) <= tolerance && Math.Abs(r - c.R) <= tolerance;

    /// <summary>Same size as the image, at least one stroke of each kind, no pixel painted as both.</summary>
    public void Validate(int width, int height)
    {
        ImageGuard.SameSize("foreground scribbles", Foreground.Width, Foreground.Height, width, height);
        ImageGuard.SameSize("background scribbles", Background.Width, Background.Height, width, height);
        if (Foreground.IsEmpty)
            throw new SegmentationInputException("There is no foreground stroke: paint at least one stroke on the object.");
        if (Background.IsEmpty)
            throw new SegmentationInputException("There is no background stroke: paint at least one stroke on the background.");
        var f = Foreground.Bits;
        var b = Background.Bits;
        for (int i = 0; i < f.Length; i++)
            if (f[i] != 0 && b[i] != 0)
                throw new SegmentationInputException($"Pixel ({i % width}, {i / width}) is painted as both object and background: erase one of the strokes there.");
    }
}
