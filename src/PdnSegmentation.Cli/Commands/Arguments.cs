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
}
