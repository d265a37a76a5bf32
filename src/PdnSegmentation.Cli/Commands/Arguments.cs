using System.CommandLine;
using System.Globalization;
using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;

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

/// <summary>
/// <c>--objects all|main</c> and <c>--fill-holes PERCENT</c>: the clean-up of a cut (islands apart from the main object
/// removed, small enclosed holes filled), the same for every command that cuts.
/// </summary>
internal sealed class CleanupArguments
{
    private readonly Option<string> _objects;
    private readonly Option<double> _holes;

    public CleanupArguments(bool mainObjectByDefault)
    {
        _objects = new Option<string>("--objects")
        {
            Description = "main: keep only the main object (islands apart from it are removed); all: keep every part of the cut.",
            DefaultValueFactory = _ => mainObjectByDefault ? "main" : "all",
        };
        _objects.AcceptOnlyFromAmong("main", "all");
        _holes = new Option<double>("--fill-holes")
        {
            Description = "Fill holes enclosed by the object smaller than this percentage of its area (e.g. eyes a colour model gave to the background); 0 = none.",
            DefaultValueFactory = _ => 0,
        };
    }

    public IEnumerable<Option> Options => [_objects, _holes];

    public MaskCleanupOptions Read(ParseResult parse)
    {
        double percent = parse.GetValue(_holes);
        if (percent is < 0 or > 100) throw new UsageException($"--fill-holes must be a percentage between 0 and 100 (got {percent}).");
        return new() { MainObjectOnly = parse.GetRequiredValue(_objects) == "main", MaxHoleFraction = percent / 100 };
    }
}
