using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Select Subject: the photo's main subject without any prompt, by any installed subject model (the bundled u2netp for
/// any object and MediaPipe selfie for people, bundled first, then the user's) through ONNX Runtime on the chosen
/// device, refined by a graph cut at full resolution (on by default) with the clean-up options; the same edge quality
/// and output options as Smart Cut, the refined edge being the Matting Anything chain. Models are found in the models/
/// folder beside the plugin (IEffectInfo2.AssemblyLocation) and in the user's models folder.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class SelectSubjectEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Model,
        Device,
        Refine,
        MainObjectOnly,
        FillHoles,
        EdgeQuality,
        BandWidth,
        Output,
    }

    private (string Model, ExecutionDevice Device)? _modelKey;
    private (AlphaMatte Probability, double PixelSize, DeviceReport Device)? _model;
    private (string Model, ExecutionDevice Device, SoftMaskRefinementOptions? Refinement)? _subjectKey;
    private SubjectResult? _subject;
    private readonly EdgeCache _edge = new();
    private (SubjectResult Subject, int Band, string? Matting)? _refinedKey;
    private (float[] Alpha, ColorImage? Colors) _refined;

    public SelectSubjectEffect() : base("Select Subject", "SelectSubject") { }

    /// <summary>Which device ran the model and why it fell back, if it did (shown to the user in the host's status).</summary>
    internal DeviceReport? LastDevice { get; private set; }
    internal int ModelRuns { get; private set; }

    /// <summary>The installed subject models' names, bundled first.</summary>
    private IReadOnlyList<InstalledModel> Models() => EffectModels.Store(this).SubjectModels();

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var names = Models().Select(m => (object)m.Name).ToArray();
        return new PropertyCollection(
        [
            new StaticListChoiceProperty(PropertyNames.Model, names.Length > 0 ? names : [NoModel], 0),
            StaticListChoiceProperty.CreateForEnum(PropertyNames.Device, ExecutionDevice.Auto),
            new BooleanProperty(PropertyNames.Refine, true),
            ..CleanupOptions.Properties(mainObjectOnly: true),
            ..CutOptions.Properties(EdgeQuality.RefinedMatte),
        ], CleanupOptions.BoundTo(PropertyNames.Refine));
    }

    private const string NoModel = "(none installed)";

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        var catalogue = EffectModels.Store(this).Catalogue();
        EffectDialog.LabelChoice(ui, PropertyNames.Model, "Model", [.. Models().Select(m =>
            ((object)m.Name, catalogue.FirstOrDefault(e => e.Name == m.Name)?.Description is { Length: > 0 } d ? $"{m.Name}: {d}" : m.Name))]);
        EffectDialog.LabelDevice(ui, PropertyNames.Device);
        EffectDialog.LabelInline(ui, PropertyNames.Refine, "Refine the model's edge at full resolution (graph cut)");
        CleanupOptions.Label(ui);
        CutOptions.Label(ui);
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Select Subject",
            "Finds the photo's main subject by itself, no selection needed. Choose 'People' for portraits. The refined matte " +
            "edge keeps hair and fur; if the GPU cannot run the model, the CPU does.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        string model = (string)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Model)!.Value;
        var device = (ExecutionDevice)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Device)!.Value;
        var refinement = token.GetProperty<BooleanProperty>(PropertyNames.Refine)!.Value ? new SoftMaskRefinementOptions { Cleanup = CleanupOptions.Read(token) } : null;
        var settings = CutOptions.Read(token);
        var subject = Subject(model, device, refinement);
        var (alpha, colors) = settings.Quality == EdgeQuality.RefinedMatte
            ? Refined(subject, settings.Band, device)
            : _edge.Get(Source, subject.Mask, settings, WorkCancellation);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, null);
    }

    /// <summary>
    /// The refined edge is the Matting Anything chain (band widened where the model was unsure, its confidence kept away
    /// from the edge, an installed deep matting model for the band), recomputed only when the subject or band changes.
    /// </summary>
    private (float[] Alpha, ColorImage? Colors) Refined(SubjectResult subject, int band, ExecutionDevice device)
    {
        var matting = EffectModels.Matting(this);
        var key = (subject, band, matting?.Folder);
        if (_refinedKey == key) return _refined;
        using var deep = matting is null ? null : DeepMatting.Open(matting, device);
        _refined = EdgeRefinement.FromMatte(MattingAnything.FromSubject(Source, subject, new TrimapBandOptions { BandWidth = band }, null, null, WorkCancellation, deep));
        _refinedKey = key;
        return _refined;
    }

    /// <summary>The subject: the model runs only when the model or device changes; the refinement's options re-run only the refinement.</summary>
    private SubjectResult Subject(string model, ExecutionDevice device, SoftMaskRefinementOptions? refinement)
    {
        var key = (model, device, refinement);
        if (_subjectKey == key && _subject is not null) return _subject;
        var (probability, pixelSize, report) = ModelOutput(model, device);
        _subject = SubjectSelector.FromProbability(Source, probability, pixelSize, report, refinement, null, WorkCancellation);
        if (_subject.Mask.IsEmpty)
            throw new SegmentationInputException("No subject was found in this layer: try another model, or select the object and use Smart Cut.");
        _subjectKey = key;
        return _subject;
    }

    private (AlphaMatte Probability, double PixelSize, DeviceReport Device) ModelOutput(string model, ExecutionDevice device)
    {
        if (_modelKey == (model, device) && _model is { } cached) return cached;
        if (model == NoModel) throw new SegmentationInputException("No subject model is installed: reinstall the plugin (its bundled models are missing).");
        var installed = Models().FirstOrDefault(m => m.Name == model)
                        ?? throw new SegmentationInputException($"The subject model '{model}' is not installed any more: install it again with the model manager, or pick another.");
        using var lease = SubjectSelectorCache.Shared.Rent(installed, device);
        var selector = lease.Selector;
        var (probability, pixelSize) = selector.Probability(Source, WorkCancellation);
        _model = (probability, pixelSize, selector.Device);
        _modelKey = (model, device);
        LastDevice = selector.Device;
        ModelRuns++;
        return _model.Value;
    }
}
