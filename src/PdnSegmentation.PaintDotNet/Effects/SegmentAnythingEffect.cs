using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Interop;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Segment Anything, click to select: prompts are the selection's bounding box and/or dots painted on a points layer
/// (object dots in one colour, background dots in another). The click engine cuts the object with the dots as hard
/// constraints; its prior comes from an installed SAM-family model when there is one, else from the bundled u2netp —
/// so it works without any download — or from nothing ("classic"). The dialog says which engine runs, on which device
/// and, if the GPU could not, why.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class SegmentAnythingEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Model,
        Device,
        DeviceStatus,
        UseSelection,
        Points,
        ObjectColor,
        BackgroundColor,
        EdgeQuality,
        BandWidth,
        Output,
    }

    private (string Model, ExecutionDevice Device)? _sessionKey;
    private ClickModel? _engine;
    private IClickPrior? _prior;
    private (string Model, ExecutionDevice Device, bool Selection, int Layer, int Object, int Background)? _cutKey;
    private Mask? _cut;
    private readonly EdgeCache _edge = new();

    public SegmentAnythingEffect() : base("Segment Anything", "SegmentAnything") { }

    internal int EncoderRuns => _engine?.EncoderRuns ?? 0;

    /// <summary>The engine that made the last result, in the user's words (the dialog's label names the one chosen when it opened).</summary>
    internal string? LastEngine { get; private set; }

    private ModelStore Models => EffectModels.Store(this);

    /// <summary>The engines offered: installed Segment Anything models, the subject models (bundled u2netp first), then the classic engine.</summary>
    private IReadOnlyList<string> Engines() =>
        [.. Models.Discover(InstalledModel.SegmentAnythingTask).Select(m => m.Name), .. Models.SubjectModels().Select(m => m.Name), ClickModel.Classic];

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var models = Engines().Select(m => (object)m).ToArray();
        return new PropertyCollection(
        [
            new StaticListChoiceProperty(PropertyNames.Model, models, 0),
            StaticListChoiceProperty.CreateForEnum(PropertyNames.Device, ExecutionDevice.Auto),
            new StringProperty(PropertyNames.DeviceStatus, ""),
            new BooleanProperty(PropertyNames.UseSelection, true),
            LayerChoices.Create(PropertyNames.Points, Environment, optional: true, n => n.Contains("point") || n.Contains("click") || n.Contains("dot")),
            ..StrokeColors.Properties(Environment),
            ..CutOptions.Properties(EdgeQuality.RefinedMatte),
        ]);
    }

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        var sam = Models.Discover(InstalledModel.SegmentAnythingTask).Select(m => m.Name).ToHashSet();
        EffectDialog.LabelChoice(ui, PropertyNames.Model, "Engine", [.. Engines().Select(name => ((object)name,
            name == ClickModel.Classic ? "Click engine alone (no model)"
            : sam.Contains(name) ? $"{name} (Segment Anything) + click engine"
            : $"Click engine guided by {name} (no download needed)"))]);
        EffectDialog.LabelDevice(ui, PropertyNames.Device);
        // The device actually used, found by opening the default model now (the session is kept for the first run).
        ui.SetPropertyControlType(PropertyNames.DeviceStatus, PropertyControlType.Label);
        EffectDialog.LabelInline(ui, PropertyNames.DeviceStatus, DeviceStatus(props));
        EffectDialog.LabelInline(ui, PropertyNames.UseSelection, "Use the selection's bounding box as a box around the object");
        ui.SetPropertyControlValue(PropertyNames.Points, ControlInfoPropertyNames.DisplayName, "Points layer (dots on the object / the background)");
        LayerChoices.Label(ui, PropertyNames.Points, Environment);
        StrokeColors.Label(ui, "Colour of object dots", "Colour of background dots");
        CutOptions.Label(ui);
        return ui;
    }

    private string DeviceStatus(PropertyCollection props)
    {
        string model = (string)props[PropertyNames.Model]!.Value!;
        try
        {
            var engine = Engine(model, (ExecutionDevice)props[PropertyNames.Device]!.Value!);
            string status = $"Engine: {engine.Description}.";
            if (engine.DeviceModel is not { } deep) return status;
            status += $" Runs on: {deep.Device.Device}.";
            return deep.Device.FallbackReason is { } why ? $"{status} {why}" : status;
        }
        catch (SegmentationInputException e)
        {
            return e.Message;
        }
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Segment Anything",
            "Paint dots on a new layer named \"points\" — object dots in the primary colour, background dots in the secondary " +
            "colour — and/or draw a rectangle selection around the object. Add a dot where the result is wrong and run again. " +
            "Works without any download; an installed Segment Anything model (e.g. MobileSAM) makes it better.");

    /// <summary>The engine (and its model's session, kept while the model and device stay) and its prior for this layer.</summary>
    private ClickModel Engine(string model, ExecutionDevice device)
    {
        if (_sessionKey == (model, device) && _engine is not null) return _engine;
        if (!Engines().Contains(model))
            throw new SegmentationInputException($"The model '{model}' is not installed any more: install it again with the model manager, or pick another engine.");
        _engine?.Dispose();
        _engine = null;
        _prior = null;
        _engine = ClickModel.Open(Models, model, device, shared: SubjectSelectorCache.Shared);
        _sessionKey = (model, device);
        return _engine;
    }

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        string model = (string)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Model)!.Value;
        var device = (ExecutionDevice)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Device)!.Value;
        bool useSelection = token.GetProperty<BooleanProperty>(PropertyNames.UseSelection)!.Value;
        int layer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Points)!.Value;
        var (objectColor, backgroundColor) = StrokeColors.Read(token);
        var settings = CutOptions.Read(token);
        var key = (model, device, useSelection, layer, objectColor, backgroundColor);
        if (_cutKey != key || _cut is null)
        {
            var (box, clicks) = Prompt(useSelection, layer, objectColor, backgroundColor);
            var engine = Engine(model, device);
            _prior ??= engine.PriorFor(Source);
            LastEngine = engine.Description;
            var mask = new ClickSession(Source, null, box, _prior).AddRange(clicks, null, WorkCancellation);
            if (mask.IsEmpty) throw new SegmentationInputException("Nothing was selected under these prompts: put dots on the object itself, or a box around it.");
            _cut = mask;
            _cutKey = key;
        }
        var (alpha, colors) = _edge.Get(Source, _cut, settings, WorkCancellation, EffectModels.Matting(this), device);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, null);
    }

    /// <summary>The selection's bounding box (unless nothing is selected) and one click per painted dot (its centre), object dots first.</summary>
    private (PixelRect? Box, List<Click> Clicks) Prompt(bool useSelection, int layer, int objectColor, int backgroundColor)
    {
        PixelRect? box = null;
        if (useSelection)
        {
            var bounds = Environment.Selection.RenderBounds;
            if (!PdnImages.IsWholeCanvas(Coverage) && bounds.HasArea) box = new PixelRect(bounds.X, bounds.Y, bounds.Width, bounds.Height);
        }
        var points = new List<(double X, double Y, bool Foreground)>();
        if (layer != LayerChoices.None)
        {
            var painted = HintLayers.ReadColors(Environment, layer, "points");
            var dots = ScribbleMasks.FromColorImage(painted, StrokeColors.ToBgra(objectColor), StrokeColors.ToBgra(backgroundColor), DotTolerance);
            points.AddRange(Centres(dots.Foreground).Select(p => (p.X, p.Y, true)));
            points.AddRange(Centres(dots.Background).Select(p => (p.X, p.Y, false)));
            if (points.Count == 0 && box is null)
                throw new SegmentationInputException($"The layer '{Environment.Document.Layers[layer].Name}' has no dots in the object colour #{objectColor:X6} or the background colour #{backgroundColor:X6}.");
        }
        if (box is null && points.Count == 0)
            throw new SegmentationInputException("Segment Anything needs a prompt: select a rectangle around the object, and/or paint dots on a points layer and pick it.");
        var clicks = points.Select(p => new Click((int)Math.Round(p.X), (int)Math.Round(p.Y), p.Foreground)).ToList();
        return (box, clicks);
    }

    /// <summary>Per-channel tolerance when reading dot colours (anti-aliased brush edges).</summary>
    private const int DotTolerance = 16;

    /// <summary>Centres of the 8-connected blobs of a dot mask: one click per painted dot.</summary>
    private static List<(double X, double Y)> Centres(Mask dots)
    {
        int w = dots.Width, h = dots.Height;
        var bits = dots.Bits;
        var seen = new bool[w * h];
        var centres = new List<(double, double)>();
        var stack = new Stack<int>();
        for (int start = 0; start < w * h; start++)
        {
            if (seen[start] || bits[start] == 0) continue;
            double sx = 0, sy = 0;
            int count = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop(), x = i % w, y = i / w;
                sx += x; sy += y; count++;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy, j = ny * w + nx;
                        if ((uint)nx < (uint)w && (uint)ny < (uint)h && !seen[j] && bits[j] != 0) { seen[j] = true; stack.Push(j); }
                    }
            }
            centres.Add((sx / count, sy / count));
        }
        return centres;
    }

    protected override void OnDispose(bool disposing)
    {
        base.OnDispose(disposing); // waits for abandoned work that may still use the session
        if (disposing) _engine?.Dispose();
    }
}
