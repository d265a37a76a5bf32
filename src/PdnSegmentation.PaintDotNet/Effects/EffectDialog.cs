using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>Dialog text shared by the effects: choice labels, window title and help.</summary>
internal static class EffectDialog
{
    public static void LabelEdgeQuality(ControlInfo ui, object property) => LabelChoice(ui, property, "Edge quality",
        (EdgeQuality.Hard, "Hard edge"),
        (EdgeQuality.BorderMatting, "Border matting (soft edge, fast)"),
        (EdgeQuality.RefinedMatte, "Refined matte (hair and fur, slower)"));

    public static void LabelOutput(ControlInfo ui, object property) => LabelChoice(ui, property, "Output",
        (OutputMode.CutOut, "Cut-out (background transparent)"),
        (OutputMode.MaskPreview, "Mask preview (black and white)"),
        (OutputMode.InvertedCutOut, "Inverted cut-out (object transparent)"));

    /// <summary>The Auto / GPU / CPU picker of the effects that run a deep model.</summary>
    public static void LabelDevice(ControlInfo ui, object property) => LabelChoice(ui, property, "Run on",
        (ExecutionDevice.Auto, "Auto (GPU if it works, else CPU)"),
        (ExecutionDevice.DirectML, "GPU (DirectML)"),
        (ExecutionDevice.Cpu, "CPU"));

    /// <summary>A drop-down's label and the text shown for each of its values.</summary>
    public static void LabelChoice(ControlInfo ui, object property, string label, params (object Value, string Text)[] values)
    {
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.DisplayName, label);
        var control = ui.FindControlForPropertyName(property)!;
        foreach (var (value, text) in values) control.SetValueDisplayName(value, text);
    }

    /// <summary>A check box (or label) whose text stands beside it rather than above: Paint.NET shows the description there.</summary>
    public static void LabelInline(ControlInfo ui, object property, string text)
    {
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.DisplayName, "");
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.Description, text);
    }

    public static void Help(PropertyCollection window, string title, string help)
    {
        window[ControlInfoPropertyNames.WindowTitle]!.Value = title;
        window[ControlInfoPropertyNames.WindowHelpContentType]!.Value = WindowHelpContentType.PlainText;
        window[ControlInfoPropertyNames.WindowHelpContent]!.Value = help;
    }
}
