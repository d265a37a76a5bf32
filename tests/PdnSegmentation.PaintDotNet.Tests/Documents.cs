using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.PaintDotNet.Tests;

/// <summary>Test documents: a generated photo on the "Background" layer, plus whatever layers a test adds.</summary>
internal static class Documents
{
    public static (HostDocument Document, SyntheticScene Scene) Photo(int width = 200, int height = 150, int seed = 3)
    {
        var scene = SyntheticScene.ObjectOnClutter(width, height, seed);
        return (FromImage(scene.Image), scene);
    }

    /// <summary>A document whose "Background" layer is <paramref name="image"/>.</summary>
    public static HostDocument FromImage(ColorImage image)
    {
        var document = new HostDocument(new SizeInt32(image.Width, image.Height));
        document.AddLayer("Background", (x, y) => { var p = image[x, y]; return new ColorBgra32(p.B, p.G, p.R, p.A); });
        return document;
    }

    /// <summary>A subject model bundled beside the plugin (the test's output folder), by its folder name.</summary>
    public static PdnSegmentation.Deep.Runtime.InstalledModel BundledModel(string name) =>
        PdnSegmentation.Deep.Runtime.InstalledModel.Load(Path.Combine(AppContext.BaseDirectory, "models", name));

    /// <summary>The bundled lemur sample as a document.</summary>
    public static (HostDocument Document, ColorImage Image) Lemur()
    {
        var image = PdnSegmentation.Cli.Files.ImageFiles.ReadColor(Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png"));
        return (FromImage(image), image);
    }

    public static RectInt32 Rect(PixelRect r) => new(r.X, r.Y, r.Width, r.Height);

    /// <summary>The engine's view of a layer.</summary>
    public static ColorImage ToImage(HostLayer layer)
    {
        var image = new ColorImage(layer.Size.Width, layer.Size.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var c = layer[x, y];
                image[x, y] = new Bgra32(c.B, c.G, c.R, c.A);
            }
        return image;
    }

    public static ColorBgra32[] ToPixels(ColorImage image)
    {
        var pixels = new ColorBgra32[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var c = image[x, y];
                pixels[y * image.Width + x] = new ColorBgra32(c.B, c.G, c.R, c.A);
            }
        return pixels;
    }

    public static Mask AlphaAtLeastHalf(ColorBgra32[] pixels, int width, int height)
    {
        var mask = new Mask(width, height);
        for (int i = 0; i < pixels.Length; i++) mask.Bits[i] = pixels[i].A >= 128 ? (byte)1 : (byte)0;
        return mask;
    }

    public static HostLayer Hints(HostDocument document, string name, Func<int, int, bool> painted) =>
        document.AddLayer(name, (x, y) => painted(x, y) ? new ColorBgra32(0, 0, 255, 255) : default);
}
