using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;

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

    public static void Help(PropertyCollection window, string title, string help)
    {
        window[ControlInfoPropertyNames.WindowTitle]!.Value = title;
        window[ControlInfoPropertyNames.WindowHelpContentType]!.Value = WindowHelpContentType.PlainText;
        window[ControlInfoPropertyNames.WindowHelpContent]!.Value = help;
    }
}
