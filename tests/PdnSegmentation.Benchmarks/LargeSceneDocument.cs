using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// The effect benchmarks' input: a generated photo of about <c>megapixels</c> in the given aspect (width / height) on the
/// "Background" layer, with a rectangle selection around its object, as a user would start Smart Cut.
/// </summary>
internal static class LargeSceneDocument
{
    /// <summary>The size from the command line (<c>MODE [megapixels]</c>), else <paramref name="defaultMegapixels"/>.</summary>
    public static HostDocument FromArguments(string[] args, double defaultMegapixels, double aspect, int seed) =>
        Create(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : defaultMegapixels, aspect, seed);

    public static HostDocument Create(double megapixels, double aspect, int seed)
    {
        int width = (int)Math.Round(Math.Sqrt(megapixels * 1e6 * aspect)), height = (int)Math.Round(width / aspect);
        var scene = SyntheticScene.ObjectOnClutter(width, height, seed);
        var document = new HostDocument(new SizeInt32(width, height));
        document.AddLayer("Background", (x, y) => { var p = scene.Image[x, y]; return new ColorBgra32(p.B, p.G, p.R, p.A); });
        document.Selection = HostSelection.Rectangle(document.Size, new RectInt32(scene.Box.X, scene.Box.Y, scene.Box.Width, scene.Box.Height));
        return document;
    }
}
