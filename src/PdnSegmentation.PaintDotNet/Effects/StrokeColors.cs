using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// The two colours that tell object strokes (or dots) from background ones on a layer: colour wheels defaulting to
/// Paint.NET's primary and secondary colours, stored as 0xRRGGBB. Shared by the effects that read painted prompts.
/// </summary>
internal static class StrokeColors
{
    public const string ObjectName = "ObjectColor", BackgroundName = "BackgroundColor";

    public static IEnumerable<Property> Properties(IBitmapEffectEnvironment environment) =>
    [
        new Int32Property(ObjectName, Rgb(environment.PrimaryColor.GetBgra32(environment.Document.ColorContext)), 0, 0xFFFFFF),
        new Int32Property(BackgroundName, Rgb(environment.SecondaryColor.GetBgra32(environment.Document.ColorContext)), 0, 0xFFFFFF),
    ];

    public static void Label(ControlInfo ui, string objectText, string backgroundText)
    {
        ui.SetPropertyControlType(ObjectName, PropertyControlType.ColorWheel);
        ui.SetPropertyControlValue(ObjectName, ControlInfoPropertyNames.DisplayName, objectText);
        ui.SetPropertyControlType(BackgroundName, PropertyControlType.ColorWheel);
        ui.SetPropertyControlValue(BackgroundName, ControlInfoPropertyNames.DisplayName, backgroundText);
    }

    public static (int Object, int Background) Read(PropertyBasedEffectConfigToken token) =>
        (token.GetProperty<Int32Property>(ObjectName)!.Value, token.GetProperty<Int32Property>(BackgroundName)!.Value);

    public static Bgra32 ToBgra(int rgb) => Bgra32.FromRgb((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    private static int Rgb(ColorBgra32 c) => c.R << 16 | c.G << 8 | c.B;
}
