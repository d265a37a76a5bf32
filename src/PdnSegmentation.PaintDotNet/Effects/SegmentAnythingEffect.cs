using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Interop;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Segment Anything: prompts are the selection's bounding box and/or dots painted on a points layer (object dots in one
/// colour, background dots in another); an installed SAM-family model (through the model manager; the weights are not
/// bundled) finds the object. The dialog shows which device runs the model and, if the GPU could not, why.
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

    private const string NoModel = "(none installed)";
    private (string Model, ExecutionDevice Device)? _sessionKey;
    private SegmentAnything? _sam;
    private (string Model, ExecutionDevice Device, bool Selection, int Layer, int Object, int Background)? _cutKey;
    private Mask? _cut;
    private readonly EdgeCache _edge = new();

    public SegmentAnythingEffect() : base("Segment Anything", "SegmentAnything") { }

    internal int EncoderRuns => _sam?.EncoderRuns ?? 0;

    private ModelStore Models => EffectModels.Store(this);

    private IReadOnlyList<InstalledModel> Installed() => Models.Discover(InstalledModel.SegmentAnythingTask);

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var models = Installed().Select(m => (object)m.Name).ToArray();
        return new PropertyCollection(
        [
            new StaticListChoiceProperty(PropertyNames.Model, models.Length > 0 ? models : [NoModel], 0),
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
        ui.SetPropertyControlValue(PropertyNames.Model, ControlInfoPropertyNames.DisplayName, "Model");
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
        if (model == NoModel) return $"No Segment Anything model is installed: install one (e.g. MobileSAM) with 'pdnseg models install' into {Models.UserFolder}.";
        try
        {
            var sam = Session(model, (ExecutionDevice)props[PropertyNames.Device]!.Value!);
            return sam.Device.FallbackReason is { } why ? $"Runs on: {sam.Device.Device}. {why}" : $"Runs on: {sam.Device.Device}.";
        }
        catch (SegmentationInputException e)
        {
            return e.Message;
        }
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Segment Anything",
            "Draw a rectangle selection around the object and/or paint dots on a new layer named \"points\": object dots in the " +
            "primary colour, background dots in the secondary colour. The model finds the object from these prompts.");

    private SegmentAnything Session(string model, ExecutionDevice device)
    {
        if (_sessionKey == (model, device) && _sam is not null) return _sam;
        var installed = Installed().FirstOrDefault(m => m.Name == model)
                        ?? throw new SegmentationInputException($"The Segment Anything model '{model}' is not installed any more: install it again with the model manager.");
        _sam?.Dispose();
        _sam = SegmentAnything.Open(installed, device);
        _sessionKey = (model, device);
        return _sam;
    }

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        string model = (string)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Model)!.Value;
        var device = (ExecutionDevice)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Device)!.Value;
        bool useSelection = token.GetProperty<BooleanProperty>(PropertyNames.UseSelection)!.Value;
        int layer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Points)!.Value;
        var (objectColor, backgroundColor) = StrokeColors.Read(token);
        var settings = CutOptions.Read(token);
        if (model == NoModel)
            throw new SegmentationInputException($"No Segment Anything model is installed. Its weights are not bundled with the plugin: install one (e.g. MobileSAM) with 'pdnseg models install' into {Models.UserFolder}, then run again.");
        var key = (model, device, useSelection, layer, objectColor, backgroundColor);
        if (_cutKey != key || _cut is null)
        {
            var prompt = Prompt(useSelection, layer, objectColor, backgroundColor);
            var result = Session(model, device).Segment(Source, prompt, WorkCancellation);
            if (result.Mask.IsEmpty) throw new SegmentationInputException("Segment Anything found nothing under these prompts: put dots on the object itself, or a box around it.");
            _cut = result.Mask;
            _cutKey = key;
        }
        var (alpha, colors) = _edge.Get(Source, _cut, settings, WorkCancellation, EffectModels.Matting(this), device);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, null);
    }

    /// <summary>The selection's bounding box (unless nothing is selected) and one click per painted dot (its centre).</summary>
    private SamPrompt Prompt(bool useSelection, int layer, int objectColor, int backgroundColor)
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
        return new SamPrompt(box, points);
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
        if (disposing) _sam?.Dispose();
    }
}
