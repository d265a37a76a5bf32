using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>Dialog text shared by the effects: choice labels, window title and help.</summary>
internal static class EffectDialog
{
    public static void LabelEdgeQuality(ControlInfo ui, object property)
    {
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.DisplayName, "Edge quality");
        var control = ui.FindControlForPropertyName(property)!;
        control.SetValueDisplayName(EdgeQuality.Hard, "Hard edge");
        control.SetValueDisplayName(EdgeQuality.BorderMatting, "Border matting (soft edge, fast)");
        control.SetValueDisplayName(EdgeQuality.RefinedMatte, "Refined matte (hair and fur, slower)");
    }

    public static void LabelOutput(ControlInfo ui, object property)
    {
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.DisplayName, "Output");
        var control = ui.FindControlForPropertyName(property)!;
        control.SetValueDisplayName(OutputMode.CutOut, "Cut-out (background transparent)");
        control.SetValueDisplayName(OutputMode.MaskPreview, "Mask preview (black and white)");
        control.SetValueDisplayName(OutputMode.InvertedCutOut, "Inverted cut-out (object transparent)");
    }

    /// <summary>The Auto / GPU / CPU picker of the effects that run a deep model.</summary>
    public static void LabelDevice(ControlInfo ui, object property)
    {
        ui.SetPropertyControlValue(property, ControlInfoPropertyNames.DisplayName, "Run on");
        var control = ui.FindControlForPropertyName(property)!;
        control.SetValueDisplayName(ExecutionDevice.Auto, "Auto (GPU if it works, else CPU)");
        control.SetValueDisplayName(ExecutionDevice.DirectML, "GPU (DirectML)");
        control.SetValueDisplayName(ExecutionDevice.Cpu, "CPU");
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
