using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.PaintDotNet.Interop;
using PdnSegmentation.Segmentation;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Smart Cut: GrabCut from the active selection — inside is probably object, outside definite background — guided by an
/// object model run on the selection (the bundled u2netp by default, any installed subject model, or none), with
/// optional hint layers, a choice of edge quality, and the result written back to the layer as alpha. Each stage is
/// cached by the parameters it depends on: the model runs once per model choice, and changing the output mode or the
/// edge quality does not cut again.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class SmartCutEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        ObjectModel,
        Iterations,
        ForegroundHints,
        BackgroundHints,
        MainObjectOnly,
        FillHoles,
        EdgeQuality,
        BandWidth,
        Output,
        ClearOutsideSelection,
    }

    /// <summary>The "Object model" choice that turns the model off: GrabCut's colour models alone.</summary>
    public const string NoModel = "none";

    private (int Iterations, int Fg, int Bg, string Model)? _cutKey;
    private Mask? _cut;
    private (string Model, PromptedPrior Prior, DeviceReport Device)? _prompt;
    private (Mask Cut, MaskCleanupOptions Cleanup)? _cleanKey;
    private Mask? _clean;
    private readonly EdgeCache _edge = new();

    /// <summary>How many GrabCut runs this dialog session needed (tests check that previews reuse the cut).</summary>
    internal int CutsComputed { get; private set; }

    /// <summary>How many times an object model ran on the selection (once per model choice in a dialog session).</summary>
    internal int ModelRuns { get; private set; }

    /// <summary>How far the model was trusted for the selection, and why (null without a model).</summary>
    internal ModelTrust? LastTrust { get; private set; }

    /// <summary>Which device ran the model and why it fell back, if it did.</summary>
    internal DeviceReport? LastDevice { get; private set; }

    /// <summary>The installed subject models, bundled first: the "Object model" choices before "none".</summary>
    private IReadOnlyList<InstalledModel> Models() => EffectModels.Store(this).SubjectModels();

    public SmartCutEffect() : base("Smart Cut", "SmartCut") { }

    protected override PropertyCollection OnCreatePropertyCollection() => new(
    [
        new StaticListChoiceProperty(PropertyNames.ObjectModel, [.. Models().Select(m => (object)m.Name), NoModel], 0),
        new Int32Property(PropertyNames.Iterations, 5, 1, 20),
        LayerChoices.Create(PropertyNames.ForegroundHints, Environment, optional: true, n => n.Contains("hint") && (n.Contains("fore") || n.Contains("object") || n.Contains("fg"))),
        LayerChoices.Create(PropertyNames.BackgroundHints, Environment, optional: true, n => n.Contains("hint") && (n.Contains("back") || n.Contains("bg"))),
        // Off by default: on the GrabCut and Berkeley sets neither raised GrabCut's mean IoU (README, "Clean-up").
        ..CleanupOptions.Properties(mainObjectOnly: false),
        ..CutOptions.Properties(EdgeQuality.Hard),
        new BooleanProperty(PropertyNames.ClearOutsideSelection, true),
    ]);

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        var catalogue = EffectModels.Store(this).Catalogue();
        EffectDialog.LabelChoice(ui, PropertyNames.ObjectModel, "Object model",
        [
            .. Models().Select(m => ((object)m.Name, $"{m.Name}: " + (catalogue.FirstOrDefault(e => e.Name == m.Name)?.Description is { Length: > 0 } d ? d : "installed subject model"))),
            (NoModel, "None: colours alone (classic GrabCut)"),
        ]);
        ui.SetPropertyControlValue(PropertyNames.Iterations, ControlInfoPropertyNames.DisplayName, "Iterations");
        ui.SetPropertyControlValue(PropertyNames.ForegroundHints, ControlInfoPropertyNames.DisplayName, "Object hints layer (painted pixels are surely object)");
        ui.SetPropertyControlValue(PropertyNames.BackgroundHints, ControlInfoPropertyNames.DisplayName, "Background hints layer (painted pixels are surely background)");
        LayerChoices.Label(ui, PropertyNames.ForegroundHints, Environment);
        LayerChoices.Label(ui, PropertyNames.BackgroundHints, Environment);
        CleanupOptions.Label(ui);
        CutOptions.Label(ui);
        EffectDialog.LabelInline(ui, PropertyNames.ClearOutsideSelection, "Clear outside the selection (make it transparent)");
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Smart Cut",
            "Select the object (rectangle or lasso) first; with nothing selected, the object model's subject is cut out (if it finds none, you are asked to select the object). " +
            "Everything outside the selection is background; inside, the object " +
            "model looks at the selection and GrabCut cuts along the photo's edges. Where the model sees nothing, only a sliver, " +
            "or something bigger than the selection, Smart Cut relies on colours alone. Paint on extra layers to help it: pixels " +
            "painted on the object hints layer are always kept, pixels painted on the background hints layer always removed.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        string model = (string)token.GetProperty<StaticListChoiceProperty>(PropertyNames.ObjectModel)!.Value;
        int iterations = token.GetProperty<Int32Property>(PropertyNames.Iterations)!.Value;
        int fgLayer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.ForegroundHints)!.Value;
        int bgLayer = (int)token.GetProperty<StaticListChoiceProperty>(PropertyNames.BackgroundHints)!.Value;
        var settings = CutOptions.Read(token);
        bool clearOutside = token.GetProperty<BooleanProperty>(PropertyNames.ClearOutsideSelection)!.Value;
        var cut = Clean(Cut(model, iterations, fgLayer, bgLayer), CleanupOptions.Read(token), fgLayer, bgLayer);
        var (alpha, colors) = _edge.Get(Source, cut, settings, WorkCancellation);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, KeepOutside(clearOutside));
    }

    private Mask Cut(string model, int iterations, int fgLayer, int bgLayer)
    {
        var key = (iterations, fgLayer, bgLayer, model);
        if (_cutKey == key && _cut is not null) return _cut;
        var source = Source;
        var region = SelectionRegion(Coverage, source.Width, source.Height, wholeCanvasAllowed: model != NoModel);
        var fg = HintLayers.Read(Environment, fgLayer, "object hints");
        var bg = HintLayers.Read(Environment, bgLayer, "background hints");
        var input = GrabCutInput.FromRegion(region).WithHints(fg, bg);
        var options = new ModelGuidedCutOptions { GrabCut = new GrabCutOptions { MaxIterations = iterations } };
        if (model == NoModel)
        {
            _cut = GrabCut.Segment(source, input, options.GrabCut, null, WorkCancellation).Foreground;
            LastTrust = null;
        }
        else
        {
            var result = ModelGuidedCut.SegmentWithPrior(source, input, Prior(model, input), options, null, WorkCancellation);
            _cut = result.Foreground;
            LastTrust = result.Trust;
        }
        _cutKey = key;
        CutsComputed++;
        return _cut;
    }

    /// <summary>The model's view of the selection, computed once per model (the selection is fixed for the dialog's life).</summary>
    private PromptedPrior Prior(string model, GrabCutInput selection)
    {
        if (_prompt is { } cached && cached.Model == model) return cached.Prior;
        var installed = Models().FirstOrDefault(m => m.Name == model)
                        ?? throw new SegmentationInputException($"The object model '{model}' is not installed any more: install it again with the model manager, or choose another (or none).");
        using var lease = SubjectSelectorCache.Shared.Rent(installed, ExecutionDevice.Auto);
        var selector = lease.Selector;
        var prior = PromptedPrior.Compute(Source, selection, selector, null, null, WorkCancellation);
        _prompt = (model, prior, selector.Device);
        LastDevice = selector.Device;
        ModelRuns++;
        return prior;
    }

    /// <summary>The cut after the clean-up options (hint pixels always keep their side), redone only when the cut or the options change.</summary>
    private Mask Clean(Mask cut, MaskCleanupOptions cleanup, int fgLayer, int bgLayer)
    {
        if (cleanup.DoesNothing) return cut;
        if (_cleanKey is { } key && ReferenceEquals(key.Cut, cut) && key.Cleanup == cleanup && _clean is not null) return _clean;
        _clean = MaskCleanup.Apply(cut, cleanup, default, HintLayers.Read(Environment, fgLayer, "object hints"), HintLayers.Read(Environment, bgLayer, "background hints"));
        _cleanKey = (cut, cleanup);
        return _clean;
    }

    /// <summary>
    /// The selection as GrabCut's region. No selection means Paint.NET selects the whole canvas: with an object model that
    /// is a request for the photo's subject (the engine then trusts the model's subject, as Select Subject does); without
    /// one it leaves GrabCut no background to learn from, so say so rather than return everything.
    /// </summary>
    internal static Mask SelectionRegion(byte[] coverage, int width, int height, bool wholeCanvasAllowed)
    {
        if (PdnImages.IsWholeCanvas(coverage))
        {
            if (wholeCanvasAllowed) return Mask.FromRectangle(width, height, new PixelRect(0, 0, width, height));
            throw new SegmentationInputException("Smart Cut needs a selection around the object: select it with the Rectangle or Lasso Select tool " +
                                                 "(everything outside the selection is treated as background), or choose an object model to cut out " +
                                                 "the photo's subject, then run Smart Cut again.");
        }
        var region = PdnImages.SelectedPixels(coverage, width, height);
        if (region.IsEmpty)
            throw new SegmentationInputException("The selection is empty: select the object (a rectangle or lasso around it) and run Smart Cut again.");
        return region;
    }
}
