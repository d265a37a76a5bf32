using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.PaintDotNet.Interop;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Refine Matte: soft, hair-accurate alpha with clean edge colours. The trimap is a layer the user painted (white =
/// object, black = background, anything else — or transparent — unknown), or is built automatically: from the current
/// layer's alpha when it is already a hard cut-out, otherwise from the selection, with an unknown band along the edge.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class RefineMatteEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Trimap,
        BandWidth,
        Method,
        Decontaminate,
        Output,
    }

    private (int Layer, int Band)? _trimapKey;
    private Trimap? _trimap;
    private (int Layer, int Band, MattingMethod Method)? _matteKey;
    private MatteResult? _matte;

    public RefineMatteEffect() : base("Refine Matte", "RefineMatte") { }

    internal int MattesComputed { get; private set; }

    protected override PropertyCollection OnCreatePropertyCollection() => new(
    [
        LayerChoices.Create(PropertyNames.Trimap, Environment, optional: true, n => n.Contains("trimap")),
        new Int32Property(PropertyNames.BandWidth, 8, 1, 100),
        StaticListChoiceProperty.CreateForEnum(PropertyNames.Method, MattingMethod.ClosedForm),
        new BooleanProperty(PropertyNames.Decontaminate, true),
        StaticListChoiceProperty.CreateForEnum(PropertyNames.Output, OutputMode.CutOut),
    ]);

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        ui.SetPropertyControlValue(PropertyNames.Trimap, ControlInfoPropertyNames.DisplayName, "Trimap layer (white = object, black = background, grey = refine)");
        LayerChoices.Label(ui, PropertyNames.Trimap, Environment);
        ui.FindControlForPropertyName(PropertyNames.Trimap)!.SetValueDisplayName(LayerChoices.None, "(automatic: from this layer's cut-out or the selection)");
        ui.SetPropertyControlValue(PropertyNames.BandWidth, ControlInfoPropertyNames.DisplayName, "Automatic trimap: edge band (pixels)");
        EffectDialog.LabelChoice(ui, PropertyNames.Method, "Method",
            (MattingMethod.ClosedForm, "Closed-form (smooth; recommended)"), (MattingMethod.Bayesian, "Bayesian (distinct object and background colours)"),
            (MattingMethod.RandomWalk, "Random walk (fastest; follows colour edges, blunt on hair)"),
            (MattingMethod.Poisson, "Poisson (smooth object and background colours)"),
            (MattingMethod.InformationFlow, "Information flow (most accurate on the benchmark; slower, more memory)"));
        EffectDialog.LabelInline(ui, PropertyNames.Decontaminate, "Decontaminate colours (remove the old background's tint from edges)");
        EffectDialog.LabelOutput(ui, PropertyNames.Output);
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Refine Matte",
            "Paint a trimap on a new layer named \"trimap\": white over what is surely the object, black over what is surely " +
            "background, grey over hair, fur and soft edges. Or run Refine Matte on a layer you already cut out (or with the " +
            "object selected): the trimap is then built along the edge, as wide as the band.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        int layer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Trimap)!.Value;
        int band = token.GetProperty<Int32Property>(PropertyNames.BandWidth)!.Value;
        var method = (MattingMethod)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Method)!.Value;
        bool decontaminate = token.GetProperty<BooleanProperty>(PropertyNames.Decontaminate)!.Value;
        var output = (OutputMode)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Output)!.Value;
        var matte = Matte(layer, layer == LayerChoices.None ? band : 0, method);
        return CutOutput.Compose(Source, matte.Alpha.Values, decontaminate ? matte.Foreground : null, output, null, replaceLayerAlpha: true);
    }

    private MatteResult Matte(int layer, int band, MattingMethod method)
    {
        var key = (layer, band, method);
        if (_matteKey == key && _matte is not null) return _matte;
        var trimap = TrimapFor(layer, band);
        _matte = RefineMatte.FromTrimap(Source, trimap, new RefineMatteOptions { Method = method }, null, WorkCancellation);
        _matteKey = key;
        MattesComputed++;
        return _matte;
    }

    private Trimap TrimapFor(int layer, int band)
    {
        var key = (layer, band);
        if (_trimapKey == key && _trimap is not null) return _trimap;
        _trimap = layer == LayerChoices.None ? AutomaticTrimap(band) : PaintedTrimap(layer);
        _trimapKey = key;
        return _trimap;
    }

    /// <summary>A trimap layer: grey level = mean of R, G, B; transparent pixels are unknown.</summary>
    private Trimap PaintedTrimap(int layerIndex)
    {
        var layer = HintLayers.ReadColors(Environment, layerIndex, "trimap");
        var grey = new byte[layer.Width * layer.Height];
        for (int y = 0; y < layer.Height; y++)
        {
            var row = layer.Row(y);
            for (int x = 0; x < layer.Width; x++)
                grey[y * layer.Width + x] = row[4 * x + 3] < 128 ? (byte)128 : (byte)((row[4 * x] + row[4 * x + 1] + row[4 * x + 2] + 1) / 3);
        }
        var trimap = Trimap.FromGray(layer.Width, layer.Height, grey);
        string name = Environment.Document.Layers[layerIndex].Name;
        try
        {
            TrimapValidator.Validate(trimap, Source.Width, Source.Height);
        }
        catch (SegmentationInputException e)
        {
            throw new SegmentationInputException($"The trimap layer '{name}': {e.Message}");
        }
        return trimap;
    }

    /// <summary>From this layer's hard cut (alpha) if it has one, else from the selection.</summary>
    private Trimap AutomaticTrimap(int band)
    {
        var source = Source;
        var mask = PdnImages.PaintedPixels(source); // an earlier cut-out: its (at least half) opaque pixels
        bool hasOpaque = !mask.IsEmpty, hasTransparency = mask.Bits.IndexOf((byte)0) >= 0;
        if (!(hasTransparency && hasOpaque))
        {
            mask = PdnImages.SelectedPixels(Coverage, source.Width, source.Height);
            if (PdnImages.IsWholeCanvas(Coverage) || mask.IsEmpty)
                throw new SegmentationInputException("Refine Matte needs to know roughly where the object is: pick a trimap layer, run it on a layer " +
                                                     "you already cut out (transparent background), or select the object first.");
        }
        return TrimapBuilder.FromMask(mask, new TrimapBandOptions { BandWidth = band });
    }
}
