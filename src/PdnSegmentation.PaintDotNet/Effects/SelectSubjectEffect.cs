using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Select Subject: the photo's main subject without any prompt, by a bundled deep model (u2netp for any object, the
/// selfie model for people) through ONNX Runtime on the chosen device; the same edge quality and output options as
/// Smart Cut, the refined edge being the Matting Anything chain. The models are found in the models/ folder beside the
/// plugin (IEffectInfo2.AssemblyLocation), a deep matting model also in the user's models folder.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class SelectSubjectEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Model,
        Device,
        EdgeQuality,
        BandWidth,
        Output,
    }

    private (SubjectModelKind Model, ExecutionDevice Device)? _subjectKey;
    private SubjectResult? _subject;
    private readonly EdgeCache _edge = new();
    private (SubjectResult Subject, int Band, string? Matting)? _refinedKey;
    private (float[] Alpha, ColorImage? Colors) _refined;

    public SelectSubjectEffect() : base("Select Subject", "SelectSubject") { }

    /// <summary>Which device ran the model and why it fell back, if it did (shown to the user in the host's status).</summary>
    internal DeviceReport? LastDevice { get; private set; }
    internal int ModelRuns { get; private set; }

    protected override PropertyCollection OnCreatePropertyCollection() => new(
    [
        StaticListChoiceProperty.CreateForEnum(PropertyNames.Model, SubjectModelKind.U2Netp),
        StaticListChoiceProperty.CreateForEnum(PropertyNames.Device, ExecutionDevice.Auto),
        ..CutOptions.Properties(EdgeQuality.RefinedMatte),
    ]);

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        EffectDialog.LabelChoice(ui, PropertyNames.Model, "Model",
            (SubjectModelKind.U2Netp, "Any object (U²-Netp)"), (SubjectModelKind.Selfie, "People (MediaPipe Selfie)"));
        EffectDialog.LabelDevice(ui, PropertyNames.Device);
        CutOptions.Label(ui);
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Select Subject",
            "Finds the photo's main subject by itself, no selection needed. Choose 'People' for portraits. The refined matte " +
            "edge keeps hair and fur; if the GPU cannot run the model, the CPU does.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        var kind = (SubjectModelKind)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Model)!.Value;
        var device = (ExecutionDevice)token.GetProperty<StaticListChoiceProperty>(PropertyNames.Device)!.Value;
        var settings = CutOptions.Read(token);
        var subject = Subject(kind, device);
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

    private SubjectResult Subject(SubjectModelKind kind, ExecutionDevice device)
    {
        var key = (kind, device);
        if (_subjectKey == key && _subject is not null) return _subject;
        using var selector = SubjectSelector.Open(EffectModels.Store(this).BundledFolder, kind, new SelectSubjectOptions { Device = device });
        _subject = selector.Select(Source, WorkCancellation);
        if (_subject.Mask.IsEmpty)
            throw new SegmentationInputException("No subject was found in this layer: try the other model, or select the object and use Smart Cut.");
        _subjectKey = key;
        LastDevice = _subject.Device;
        ModelRuns++;
        return _subject;
    }
}
