using PaintDotNet.Imaging;
using PaintDotNet.TestHost;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.PaintDotNet.Effects;
using PdnSegmentation.Scissors;
using PdnSegmentation.TestSupport;
using Names = PdnSegmentation.PaintDotNet.Effects.SnapToEdgesEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

public class SnapToEdgesEffectTests
{
    /// <summary>A lasso a little outside the synthetic object's box: an octagon around it.</summary>
    private static HostDocument LassoAround(int seed, out SyntheticScene scene, double margin = 1.08)
    {
        (var document, scene) = Documents.Photo(seed: seed);
        var b = scene.Box;
        double cx = b.X + b.Width / 2.0, cy = b.Y + b.Height / 2.0, rx = b.Width / 2.0 * margin, ry = b.Height / 2.0 * margin;
        var polygon = Enumerable.Range(0, 12).Select(k => (cx + rx * Math.Cos(k * Math.PI / 6), cy + ry * Math.Sin(k * Math.PI / 6))).ToList();
        document.Selection = HostSelection.Lasso(document.Size, polygon);
        return document;
    }

    /// <summary>The engine's snap of the document's selection, composed the way the effect composes it.</summary>
    private static (ColorBgra32[] Pixels, Mask Snapped) Engine(HostDocument document, EdgeSnapOptions options, Func<ColorImage, Mask, (float[] Alpha, ColorImage? Colors)> edge,
        OutputMode mode = OutputMode.CutOut)
    {
        var image = Documents.ToImage(document.Layers[0]);
        var coverage = new byte[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++) for (int x = 0; x < image.Width; x++) coverage[y * image.Width + x] = document.Selection.Coverage(x, y);
        var snapped = EdgeSnapping.Snap(image, SnapToEdgesEffect.SelectionOutlines(coverage, image.Width, image.Height), options).Foreground;
        var (alpha, colors) = edge(image, snapped);
        return (Documents.ToPixels(CutOutput.Compose(image, alpha, colors, mode, null)), snapped);
    }

    [Fact]
    public void ALassoSnapsOntoTheObjectExactlyAsTheEngineDoes()
    {
        var document = LassoAround(3, out var scene);
        var run = EffectHost.Run<SnapToEdgesEffect>(document, 0);
        var (expected, snapped) = Engine(document, new EdgeSnapOptions(), (_, cut) => (AlphaMatte.FromMask(cut).Values.ToArray(), null));
        Assert.Equal(expected, run.Layer);
        // The snapped cut is closer to the object than the lasso was.
        var lasso = new Mask(document.Size.Width, document.Size.Height);
        for (int y = 0; y < lasso.Height; y++) for (int x = 0; x < lasso.Width; x++) lasso[x, y] = document.Selection.Coverage(x, y) >= 128;
        double snappedIoU = SyntheticScene.IoU(snapped, scene.Truth), lassoIoU = SyntheticScene.IoU(lasso, scene.Truth);
        Assert.True(snappedIoU > lassoIoU + 0.02, $"snapped IoU {snappedIoU:F4}, lasso {lassoIoU:F4}");
    }

    [Fact]
    public void EdgeQualityAndOutputChangesReuseTheSnapAndEqualTheEngine()
    {
        var document = LassoAround(5, out _);
        using var session = EffectHost.Open<SnapToEdgesEffect>(document, 0);
        session.Set(Names.Corridor, 10);
        session.Render();
        session.Set(Names.EdgeQuality, EdgeQuality.BorderMatting);
        session.Set(Names.Output, OutputMode.MaskPreview);
        var layer = session.Render().Layer;
        Assert.Equal(1, session.Effect.SnapsComputed);
        var (expected, _) = Engine(document, new EdgeSnapOptions { Corridor = 10 },
            (image, cut) => EdgeRefinement.FromMatte(RefineMatte.FromBorder(image, cut)), OutputMode.MaskPreview);
        Assert.Equal(expected, layer);
        session.Set(Names.AnchorSpacing, 20);
        session.Render();
        Assert.Equal(2, session.Effect.SnapsComputed);
    }

    [Fact]
    public void ASelectionWithAHoleKeepsTheHoleTransparent()
    {
        // Select a ring around the object's centre: the inner outline is a hole, snapped and kept out of the cut.
        var (document, scene) = Documents.Photo(seed: 7);
        var b = scene.Box;
        double cx = b.X + b.Width / 2.0, cy = b.Y + b.Height / 2.0;
        document.Selection = HostSelection.FromCoverage(document.Size, (x, y) =>
        {
            double outer = Math.Pow((x - cx) / (b.Width * 0.56), 2) + Math.Pow((y - cy) / (b.Height * 0.56), 2);
            double inner = Math.Pow((x - cx) / 10.0, 2) + Math.Pow((y - cy) / 10.0, 2);
            return outer <= 1 && inner > 1 ? (byte)255 : (byte)0;
        });
        var run = EffectHost.Run<SnapToEdgesEffect>(document, 0);
        var (expected, _) = Engine(document, new EdgeSnapOptions(), (_, cut) => (AlphaMatte.FromMask(cut).Values.ToArray(), null));
        Assert.Equal(expected, run.Layer);
        Assert.Equal(0, run.Layer[(int)cy * document.Size.Width + (int)cx].A);
    }

    [Fact]
    public void WithoutASelectionTheUserIsToldToDrawOneAndTheLayerIsUnchanged()
    {
        var (document, _) = Documents.Photo(seed: 9);
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<SnapToEdgesEffect>(document, 0));
        Assert.Contains("needs a rough selection around the object", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }

    [Fact]
    public void ATinySelectionIsRefusedWithAMessage()
    {
        var (document, _) = Documents.Photo(seed: 11);
        document.Selection = HostSelection.Rectangle(document.Size, new global::PaintDotNet.Rendering.RectInt32(20, 20, 2, 2));
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<SnapToEdgesEffect>(document, 0));
        Assert.Contains("too small to snap", error.Message);
    }
}
