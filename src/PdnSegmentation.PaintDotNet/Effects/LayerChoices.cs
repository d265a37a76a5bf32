using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// A layer picker (CodeLab's pattern): a choice property whose values are boxed layer indices, top layer first, with
/// −1 for "none" when the layer is optional; the dialog shows layer names. The default is a layer whose name says
/// what it is for ("trimap", "hints", "scribbles"), so a user who names layers that way never has to pick.
/// </summary>
internal static class LayerChoices
{
    public const int None = -1;

    public static StaticListChoiceProperty Create(object name, IBitmapEffectEnvironment environment, bool optional, Func<string, bool> looksRight)
    {
        var layers = environment.Document.Layers;
        var choices = new List<object>();
        if (optional) choices.Add(None);
        for (int i = layers.Count - 1; i >= 0; i--)
            if (i != environment.SourceLayerIndex) choices.Add(i);
        if (choices.Count == 0) choices.Add(None); // a one-layer document: nothing to pick
        int preferred = choices.FindIndex(c => (int)c != None && looksRight(layers[(int)c].Name.ToLowerInvariant()));
        return new StaticListChoiceProperty(name, choices.ToArray(), Math.Max(0, preferred), false, ValueValidationFailureResult.Ignore);
    }

    public static void Label(ControlInfo ui, object name, IBitmapEffectEnvironment environment)
    {
        var control = ui.FindControlForPropertyName(name);
        if (control?.Property is not StaticListChoiceProperty property) return;
        var layers = environment.Document.Layers;
        foreach (var choice in property.ValueChoices)
        {
            int index = (int)choice;
            control.SetValueDisplayName(choice, index == None ? "(none)" : $"{layers[index].Name} (layer {index + 1})");
        }
    }
}
