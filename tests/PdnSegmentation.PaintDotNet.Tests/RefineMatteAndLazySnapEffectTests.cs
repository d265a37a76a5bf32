using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Matting;
using PdnSegmentation.PaintDotNet.Effects;
using PdnSegmentation.Scribbles;
using PdnSegmentation.TestSupport;
using PdnSegmentation.Trimaps;
using LazyNames = PdnSegmentation.PaintDotNet.Effects.LazySnapEffect.PropertyNames;
using MatteNames = PdnSegmentation.PaintDotNet.Effects.RefineMatteEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

public class RefineMatteEffectTests
{
    /// <summary>A soft-edged disc photo and a trimap layer painted white / black / grey around its edge.</summary>
    private static (HostDocument Document, Trimap Trimap) DiscWithTrimap()
    {
        int w = 120, h = 90;
        var document = new HostDocument(new SizeInt32(w, h));
        var photo = document.AddLayer("Background");
        var painted = document.AddLayer("trimap");
        var trimap = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double r = Math.Sqrt((x - 60) * (x - 60) + (y - 45) * (y - 45));
                double a = Math.Clamp((30 - r) / 6 + 0.5, 0, 1);
                photo[x, y] = new ColorBgra32((byte)(a * 210 + (1 - a) * 40), (byte)(a * 90 + (1 - a) * 160), (byte)(a * 30 + (1 - a) * 220), 255);
                var label = r < 24 ? TrimapLabel.Foreground : r > 36 ? TrimapLabel.Background : TrimapLabel.Unknown;
                trimap[x, y] = label;
                byte v = (byte)label;
                painted[x, y] = new ColorBgra32(v, v, v, 255);
            }
        return (document, trimap);
    }

    [Theory]
    [InlineData(MattingMethod.ClosedForm)]
    [InlineData(MattingMethod.Bayesian)]
    [InlineData(MattingMethod.RandomWalk)]
    [InlineData(MattingMethod.Poisson)]
    [InlineData(MattingMethod.InformationFlow)]
    public void TrimapLayerGivesTheEnginesMatte(MattingMethod method)
    {
        var (document, trimap) = DiscWithTrimap();
        var run = EffectHost.Run<RefineMatteEffect>(document, 0, p => p[MatteNames.Method]!.Value = method);
        var image = Documents.ToImage(document.Layers[0]);
        var matte = RefineMatte.FromTrimap(image, trimap, new RefineMatteOptions { Method = method });
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, matte.Alpha.Values, matte.Foreground, OutputMode.CutOut, null, replaceLayerAlpha: true)), run.Layer);
        Assert.Contains(run.Layer, p => p.A is > 20 and < 235);
    }

    [Fact]
    public void AnEarlierHardCutIsRefinedAlongItsEdge()
    {
        var (document, _) = DiscWithTrimap();
        var photo = document.Layers[0];
        var hard = new Mask(120, 90);
        for (int y = 0; y < 90; y++)
            for (int x = 0; x < 120; x++)
            {
                bool inside = (x - 60) * (x - 60) + (y - 45) * (y - 45) < 30 * 30;
                hard[x, y] = inside;
                var c = photo[x, y];
                photo[x, y] = new ColorBgra32(c.B, c.G, c.R, inside ? (byte)255 : (byte)0);
            }
        document.Layers.RemoveAt(1); // no trimap layer: automatic
        using var session = EffectHost.Open<RefineMatteEffect>(document, 0);
        session.Set(MatteNames.BandWidth, 6);
        var refined = session.Render().Layer;
        var image = Documents.ToImage(photo);
        var matte = RefineMatte.FromMask(image, hard, new TrimapBandOptions { BandWidth = 6 });
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, matte.Alpha.Values, matte.Foreground, OutputMode.CutOut, null, replaceLayerAlpha: true)), refined);
        session.Set(MatteNames.Decontaminate, false);
        session.Set(MatteNames.Output, OutputMode.MaskPreview);
        session.Render();
        Assert.Equal(1, session.Effect.MattesComputed); // display options reuse the matte
    }

    [Fact]
    public void ATrimapWithoutForegroundIsRefusedByName()
    {
        var (document, _) = DiscWithTrimap();
        var layer = document.Layers[1];
        for (int y = 0; y < 90; y++) for (int x = 0; x < 120; x++) if (layer[x, y].B == 255) layer[x, y] = new ColorBgra32(128, 128, 128, 255);
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<RefineMatteEffect>(document, 0));
        Assert.Contains("'trimap'", error.Message);
        Assert.Contains("no foreground", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }

    [Fact]
    public void WithNothingToGoOnTheUserIsToldWhatToProvide()
    {
        var (document, _) = DiscWithTrimap();
        document.Layers.RemoveAt(1);
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<RefineMatteEffect>(document, 0));
        Assert.Contains("pick a trimap layer", error.Message);
    }
}

public class LazySnapEffectTests
{
    private static readonly ColorBgra32 Primary = new(0, 0, 0, 255), Secondary = new(255, 255, 255, 255);

    private static (HostDocument Document, SyntheticScene Scene, HostLayer Strokes) SceneWithStrokes()
    {
        var (document, scene) = Documents.Photo(seed: 13);
        var box = scene.Truth.Bounds();
        int cy = box.Y + box.Height / 2;
        var strokes = document.AddLayer("strokes");
        for (int x = box.X + box.Width / 3; x < box.X + 2 * box.Width / 3; x++) { strokes[x, cy] = Primary; strokes[x, cy + 1] = Primary; }
        for (int x = 0; x < document.Size.Width; x++) { strokes[x, 1] = Secondary; strokes[x, document.Size.Height - 2] = Secondary; }
        return (document, scene, strokes);
    }

    [Fact]
    public void StrokesLayerGivesTheEnginesCut()
    {
        var (document, scene, strokes) = SceneWithStrokes();
        var run = EffectHost.Run<LazySnapEffect>(document, 0);
        var image = Documents.ToImage(document.Layers[0]);
        var masks = ScribbleMasks.FromColorImage(Documents.ToImage(strokes), Bgra32.FromRgb(0, 0, 0), Bgra32.FromRgb(255, 255, 255), 16);
        var cut = new LazySnapSession(image).Segment(masks).Foreground;
        Assert.Equal(Documents.ToPixels(Compositing.CutOut(image, cut)), run.Layer);
        Assert.True(SyntheticScene.IoU(Documents.AlphaAtLeastHalf(run.Layer, 200, 150), scene.Truth) > 0.9);
    }

    [Fact]
    public void MissingStrokeColourIsNamed()
    {
        var (document, _, _) = SceneWithStrokes();
        var error = Assert.Throws<SegmentationInputException>(() =>
            EffectHost.Run<LazySnapEffect>(document, 0, p => p[LazyNames.ObjectColor]!.Value = 0x00FF00));
        Assert.Contains("no object stroke in the colour #00FF00", error.Message);
        Assert.Contains("'strokes'", error.Message);
    }
}
