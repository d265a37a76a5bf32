using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.PaintDotNet.Effects;

internal readonly record struct CutSettings(EdgeQuality Quality, int Band, OutputMode Output);

/// <summary>
/// The options every cutting effect shares — edge quality, the refined matte's band, the output mode — declared,
/// labelled and read in one place (each effect's PropertyNames enum has members of the same names, so hosts and tests
/// address them there), and the cached edge refinement they drive.
/// </summary>
internal static class CutOptions
{
    public const string EdgeQualityName = "EdgeQuality", BandWidthName = "BandWidth", OutputName = "Output";

    public static IEnumerable<Property> Properties(EdgeQuality defaultQuality) =>
    [
        StaticListChoiceProperty.CreateForEnum(EdgeQualityName, defaultQuality),
        new Int32Property(BandWidthName, 8, 1, 100),
        StaticListChoiceProperty.CreateForEnum(OutputName, OutputMode.CutOut),
    ];

    public static void Label(ControlInfo ui)
    {
        EffectDialog.LabelEdgeQuality(ui, EdgeQualityName);
        ui.SetPropertyControlValue(BandWidthName, ControlInfoPropertyNames.DisplayName, "Refined matte: edge band (pixels)");
        EffectDialog.LabelOutput(ui, OutputName);
    }

    public static CutSettings Read(PropertyBasedEffectConfigToken token) => new(
        (EdgeQuality)token.GetProperty<StaticListChoiceProperty>(EdgeQualityName)!.Value,
        token.GetProperty<Int32Property>(BandWidthName)!.Value,
        (OutputMode)token.GetProperty<StaticListChoiceProperty>(OutputName)!.Value);
}

/// <summary>The edge refinement of the current cut, recomputed only when the cut or the edge settings change.</summary>
internal sealed class EdgeCache
{
    private Mask? _cut;
    private (EdgeQuality, int, string?)? _key;
    private (float[] Alpha, ColorImage? Colors) _edge;

    /// <param name="matting">An installed deep matting model for the refined matte (opened only when the edge is recomputed); null for closed-form.</param>
    public (float[] Alpha, ColorImage? Colors) Get(ColorImage source, Mask cut, CutSettings settings, CancellationToken cancellationToken,
        InstalledModel? matting = null, ExecutionDevice device = ExecutionDevice.Auto)
    {
        bool refined = settings.Quality == EdgeQuality.RefinedMatte;
        var key = (settings.Quality, refined ? settings.Band : 0, refined ? matting?.Folder : null);
        if (ReferenceEquals(cut, _cut) && _key == key) return _edge;
        using var deep = refined && matting is not null ? DeepMatting.Open(matting, device) : null;
        _edge = EdgeRefinement.Apply(source, cut, settings.Quality, settings.Band, cancellationToken, deep);
        _cut = cut;
        _key = key;
        return _edge;
    }
}
