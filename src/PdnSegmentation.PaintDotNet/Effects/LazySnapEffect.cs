using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Lazy Snap: paint a few strokes on a layer — object strokes in one colour, background strokes in another (by default
/// the primary and secondary colours) — and the object snaps out. The watershed pre-segmentation is built once per
/// dialog; new colours or a new smoothness only re-solve the graph cut.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class LazySnapEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Scribbles,
        ObjectColor,
        BackgroundColor,
        Tolerance,
        Smoothness,
        EdgeQuality,
        BandWidth,
        Output,
    }

    private double? _sessionSmoothness;
    private LazySnapSession? _session;
    private (int Layer, int Object, int Background, int Tolerance, double Smoothness)? _cutKey;
    private Mask? _cut;
    private readonly EdgeCache _edge = new();

    public LazySnapEffect() : base("Lazy Snap", "LazySnap") { }

    protected override PropertyCollection OnCreatePropertyCollection() => new(
    [
        LayerChoices.Create(PropertyNames.Scribbles, Environment, optional: false, n => n.Contains("scribble") || n.Contains("stroke")),
        ..StrokeColors.Properties(Environment),
        new Int32Property(PropertyNames.Tolerance, 16, 0, 127),
        new DoubleProperty(PropertyNames.Smoothness, new LazySnapOptions().Smoothness, 0, 50),
        ..CutOptions.Properties(EdgeQuality.Hard),
    ]);

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        ui.SetPropertyControlValue(PropertyNames.Scribbles, ControlInfoPropertyNames.DisplayName, "Strokes layer");
        LayerChoices.Label(ui, PropertyNames.Scribbles, Environment);
        StrokeColors.Label(ui, "Colour of object strokes", "Colour of background strokes");
        ui.SetPropertyControlValue(PropertyNames.Tolerance, ControlInfoPropertyNames.DisplayName, "Colour tolerance (anti-aliased strokes)");
        ui.SetPropertyControlValue(PropertyNames.Smoothness, ControlInfoPropertyNames.DisplayName, "Smoothness (higher follows colour edges less)");
        CutOptions.Label(ui);
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Lazy Snap",
            "On a new layer (e.g. named \"strokes\"), paint a few strokes on the object with the primary colour and a few on " +
            "the background with the secondary colour, then run Lazy Snap on the photo's layer. Stroked pixels always keep " +
            "their side; add strokes where the cut is wrong and run again.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        int layer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Scribbles)!.Value;
        var (objectColor, backgroundColor) = StrokeColors.Read(token);
        int tolerance = token.GetProperty<Int32Property>(PropertyNames.Tolerance)!.Value;
        double smoothness = token.GetProperty<DoubleProperty>(PropertyNames.Smoothness)!.Value;
        var settings = CutOptions.Read(token);
        var cut = Cut(layer, objectColor, backgroundColor, tolerance, smoothness);
        var (alpha, colors) = _edge.Get(Source, cut, settings, WorkCancellation);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, null);
    }

    private Mask Cut(int layer, int objectColor, int backgroundColor, int tolerance, double smoothness)
    {
        var key = (layer, objectColor, backgroundColor, tolerance, smoothness);
        if (_cutKey == key && _cut is not null) return _cut;
        if (layer == LayerChoices.None)
            throw new SegmentationInputException("Lazy Snap needs a layer with strokes: add a layer, paint strokes on the object and on the background, and pick it.");
        var painted = HintLayers.ReadColors(Environment, layer, "strokes");
        string name = Environment.Document.Layers[layer].Name;
        var fg = StrokeColors.ToBgra(objectColor);
        var bg = StrokeColors.ToBgra(backgroundColor);
        if (ScribbleMasks.ColorsIndistinguishable(fg, bg, tolerance))
            throw new SegmentationInputException("The object and background stroke colours are the same (within the tolerance): choose two different colours.");
        var strokes = ScribbleMasks.FromColorImage(painted, fg, bg, tolerance);
        if (strokes.Foreground.IsEmpty)
            throw new SegmentationInputException($"The layer '{name}' has no object stroke in the colour #{objectColor:X6}: paint strokes on the object in that colour, or change the object colour.");
        if (strokes.Background.IsEmpty)
            throw new SegmentationInputException($"The layer '{name}' has no background stroke in the colour #{backgroundColor:X6}: paint strokes on the background in that colour, or change the background colour.");
        if (_session is null || _sessionSmoothness != smoothness)
        {
            _session = new LazySnapSession(Source, new LazySnapOptions { Smoothness = smoothness }, WorkCancellation);
            _sessionSmoothness = smoothness;
        }
        _cut = _session.Segment(strokes, WorkCancellation).Foreground;
        _cutKey = key;
        return _cut;
    }
}
