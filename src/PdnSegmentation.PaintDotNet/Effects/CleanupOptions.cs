using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// The clean-up options of the effects that cut (keep only the main object, fill small enclosed holes), declared,
/// labelled and read in one place; each effect's PropertyNames enum has members of the same names.
/// </summary>
internal static class CleanupOptions
{
    public const string MainObjectOnlyName = "MainObjectOnly", FillHolesName = "FillHoles";

    public static IEnumerable<Property> Properties(bool mainObjectOnly) =>
    [
        new BooleanProperty(MainObjectOnlyName, mainObjectOnly),
        new Int32Property(FillHolesName, 0, 0, 25),
    ];

    public static void Label(ControlInfo ui)
    {
        EffectDialog.LabelInline(ui, MainObjectOnlyName, "Keep only the main object (remove islands apart from it)");
        ui.SetPropertyControlValue(FillHolesName, ControlInfoPropertyNames.DisplayName, "Fill holes smaller than (% of the object)");
    }

    /// <summary>Rules that grey the clean-up out while <paramref name="switchProperty"/> is off.</summary>
    public static IEnumerable<PropertyCollectionRule> BoundTo(object switchProperty) =>
    [
        new ReadOnlyBoundToBooleanRule(MainObjectOnlyName, switchProperty, inverse: true),
        new ReadOnlyBoundToBooleanRule(FillHolesName, switchProperty, inverse: true),
    ];

    public static MaskCleanupOptions Read(PropertyBasedEffectConfigToken token) => new()
    {
        MainObjectOnly = token.GetProperty<BooleanProperty>(MainObjectOnlyName)!.Value,
        MaxHoleFraction = token.GetProperty<Int32Property>(FillHolesName)!.Value / 100.0,
    };
}
