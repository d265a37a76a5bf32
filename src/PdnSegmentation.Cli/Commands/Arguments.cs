using System.Globalization;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Commands;

/// <summary>Parsers for the value formats commands share.</summary>
public static class Arguments
{
    /// <summary>"X,Y,W,H" in pixels.</summary>
    public static PixelRect ParseRectangle(string text, string option = "--rect")
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[4];
        if (parts.Length != 4 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
            throw new UsageException($"{option} '{text}' is not a rectangle; write X,Y,W,H in pixels, e.g. {option} 120,40,430,400.");
        return new PixelRect(values[0], values[1], values[2], values[3]);
    }

    /// <summary>"#RRGGBB" (the # is optional).</summary>
    public static Bgra32 ParseColor(string text, string option)
    {
        string hex = text.StartsWith('#') ? text[1..] : text;
        if (hex.Length != 6 || !int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int rgb))
            throw new UsageException($"{option} '{text}' is not a colour; write #RRGGBB, e.g. {option} #FFFFCF.");
        return Bgra32.FromRgb((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
    }

    public static string FormatColor(Bgra32 c) => $"#{c.R:X2}{c.G:X2}{c.B:X2}";
}
