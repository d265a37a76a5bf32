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

    /// <summary>
    /// The same scene with a "trimap" layer painted as a user would: white inside the object, black outside, grey in
    /// a band along its edge as wide as makes <paramref name="unknownFraction"/> of the pixels unknown.
    /// </summary>
    public static (HostDocument Document, double UnknownFraction) WithTrimapLayer(HostDocument document, int seed, double unknownFraction)
    {
        int width = document.Size.Width, height = document.Size.Height;
        var truth = SyntheticScene.ObjectOnClutter(width, height, seed).Truth;
        var isObject = new byte[width * height];
        var isBackground = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                (truth[x, y] ? ref isObject[y * width + x] : ref isBackground[y * width + x]) = 1;
        // Distance of each pixel to the other side of the edge (one of the two distances is 0).
        var toObject = PdnSegmentation.Imaging.PixelMaps.DistanceToTargets(isObject, width, height);
        var toBackground = PdnSegmentation.Imaging.PixelMaps.DistanceToTargets(isBackground, width, height);
        var edgeDistance = new float[width * height];
        for (int i = 0; i < edgeDistance.Length; i++) edgeDistance[i] = Math.Max(toObject[i], toBackground[i]);
        var sorted = (float[])edgeDistance.Clone();
        Array.Sort(sorted);
        float band = sorted[(int)(unknownFraction * (sorted.Length - 1))];
        var layer = document.AddLayer("trimap");
        long unknown = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                byte v = edgeDistance[i] <= band ? (byte)128 : truth[x, y] ? (byte)255 : (byte)0;
                if (v == 128) unknown++;
                layer[x, y] = new ColorBgra32(v, v, v, 255);
            }
        return (document, (double)unknown / (width * height));
    }
}
