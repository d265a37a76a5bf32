using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.Imaging;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.PaintDotNet.Effects;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;
using Names = PdnSegmentation.PaintDotNet.Effects.SmartCutEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

[Collection(ModelsBesideThePlugin.Name)]
public class SmartCutEffectTests
{
    /// <summary>
    /// What the engine gives for the same selection and options (by default guided by the bundled u2netp, as the effect
    /// is), composed the way the effect composes it.
    /// </summary>
    private static ColorBgra32[] EngineCut(HostDocument document, Func<ColorImage, Mask, (float[] Alpha, ColorImage? Colors)> edge, OutputMode mode = OutputMode.CutOut,
        bool clearOutside = true, string model = "u2netp")
    {
        var image = Documents.ToImage(document.Layers[0]);
        var coverage = new byte[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++) for (int x = 0; x < image.Width; x++) coverage[y * image.Width + x] = document.Selection.Coverage(x, y);
        var region = SmartCutEffect.SelectionRegion(coverage, image.Width, image.Height, wholeCanvasAllowed: model != SmartCutEffect.NoModel);
        using var selector = model == SmartCutEffect.NoModel ? null : SubjectSelector.Open(Documents.BundledModel(model), new SelectSubjectOptions { Refinement = null });
        var cut = ModelGuidedCut.Segment(image, GrabCutInput.FromRegion(region), selector,
            new ModelGuidedCutOptions { GrabCut = new GrabCutOptions { MaxIterations = 5 } }).Foreground;
        var (alpha, colors) = edge(image, cut);
        return Documents.ToPixels(CutOutput.Compose(image, alpha, colors, mode, clearOutside ? null : coverage));
    }

    private static (float[], ColorImage?) Hard(ColorImage image, Mask cut) => (AlphaMatte.FromMask(cut).Values.ToArray(), null);

    [Fact]
    public void RectangleSelectionCutsTheObjectOutExactlyAsTheEngineDoes()
    {
        var (document, scene) = Documents.Photo();
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        var run = EffectHost.Run<SmartCutEffect>(document, 0);
        var alpha = Documents.AlphaAtLeastHalf(run.Layer, 200, 150);
        // u2netp's one run on this small scene's crop is sure of itself and trusted, so its mirrored run is not asked for:
        // IoU 0.962 (mirror-averaged 1.000). The engine's accuracy is measured on the public sets (docs/benchmarks.md).
        Assert.True(SyntheticScene.IoU(alpha, scene.Truth) > 0.95, $"IoU {SyntheticScene.IoU(alpha, scene.Truth):F4}");
        Assert.Equal(EngineCut(document, Hard), run.Layer);
        Assert.True((run.RenderInfo.Flags & BitmapEffectRenderingFlags.DisableSelectionClipping) != 0);
    }

    [Fact]
    public void TheCleanUpOptionsFillTheLemursEyesAsTheEngineDoes()
    {
        // GrabCut gives the lemur's two dark eyes to the background: small enclosed holes that "fill holes" closes.
        var (document, image) = Documents.Lemur();
        document.Selection = HostSelection.Rectangle(document.Size, new RectInt32(120, 40, 430, 400));
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        session.Set(Names.ObjectModel, SmartCutEffect.NoModel);
        var plain = session.Render().Layer;
        session.Set(Names.FillHoles, 1);
        session.Set(Names.MainObjectOnly, true);
        var cleaned = session.Render().Layer;
        Assert.Equal(1, session.Effect.CutsComputed); // the clean-up reuses the cut

        var cut = GrabCut.Segment(image, GrabCutInput.FromRegion(Mask.FromRectangle(image.Width, image.Height, new PixelRect(120, 40, 430, 400))),
            new GrabCutOptions { MaxIterations = 5 }).Foreground;
        var expected = MaskCleanup.Apply(cut, new MaskCleanupOptions { MainObjectOnly = true, MaxHoleFraction = 0.01 });
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, AlphaMatte.FromMask(expected).Values.ToArray(), null, OutputMode.CutOut, null)), cleaned);
        // Both eyes (about 160 pixels each, around (290, 201) and (359, 216)) were holes and are now opaque.
        Assert.Equal(0, plain[201 * image.Width + 290].A);
        Assert.Equal(0, plain[216 * image.Width + 359].A);
        Assert.Equal(255, cleaned[201 * image.Width + 290].A);
        Assert.Equal(255, cleaned[216 * image.Width + 359].A);
    }

    [Fact]
    public void LassoSelectionWorksToo()
    {
        var (document, scene) = Documents.Photo(seed: 4);
        var b = scene.Box;
        // An octagon around the object's box: a free-form selection, not a rectangle.
        double cx = b.X + b.Width / 2.0, cy = b.Y + b.Height / 2.0, rx = b.Width * 0.62, ry = b.Height * 0.62;
        var polygon = Enumerable.Range(0, 8).Select(k => (cx + rx * Math.Cos(k * Math.PI / 4 + Math.PI / 8), cy + ry * Math.Sin(k * Math.PI / 4 + Math.PI / 8))).ToList();
        document.Selection = HostSelection.Lasso(document.Size, polygon);
        var run = EffectHost.Run<SmartCutEffect>(document, 0);
        var alpha = Documents.AlphaAtLeastHalf(run.Layer, 200, 150);
        // u2netp's one run on this small scene's crop is sure of itself and trusted, so its mirrored run is not asked for:
        // IoU 0.962 (mirror-averaged 1.000). The engine's accuracy is measured on the public sets (docs/benchmarks.md).
        Assert.True(SyntheticScene.IoU(alpha, scene.Truth) > 0.95, $"IoU {SyntheticScene.IoU(alpha, scene.Truth):F4}");
        Assert.Equal(EngineCut(document, Hard), run.Layer);
    }

    [Fact]
    public void TilesInParallelAndInRandomOrderGiveTheSinglePassResult()
    {
        var (document, scene) = Documents.Photo(seed: 5);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        var tiled = EffectHost.Run<SmartCutEffect>(document, 0, p => p[Names.EdgeQuality]!.Value = EdgeQuality.BorderMatting,
            new RenderPlan { TileWidth = 17, TileHeight = 13, ShuffleSeed = 7 });
        var single = EffectHost.Run<SmartCutEffect>(document, 0, p => p[Names.EdgeQuality]!.Value = EdgeQuality.BorderMatting, RenderPlan.SinglePass);
        Assert.True(tiled.Tiles > 100);
        Assert.Equal(single.Layer, tiled.Layer);
    }

    [Fact]
    public void EdgeQualitiesEqualTheEnginesMattes()
    {
        var (document, scene) = Documents.Photo(seed: 6);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        session.Set(Names.EdgeQuality, EdgeQuality.BorderMatting);
        Assert.Equal(EngineCut(document, (i, c) => Colors(RefineMatte.FromBorder(i, c))), session.Render().Layer);
        session.Set(Names.EdgeQuality, EdgeQuality.RefinedMatte);
        session.Set(Names.BandWidth, 5);
        var refined = session.Render().Layer;
        Assert.Equal(EngineCut(document, (i, c) => Colors(RefineMatte.FromMask(i, c, new PdnSegmentation.Trimaps.TrimapBandOptions { BandWidth = 5 }))), refined);
        Assert.Contains(refined, p => p.A is > 10 and < 245);
        Assert.Equal(1, session.Effect.CutsComputed); // edge changes reuse the cut
    }

    private static (float[], ColorImage?) Colors(MatteResult m) => (m.Alpha.Values.ToArray(), m.Foreground);

    [Fact]
    public void OutputModesAndClearOutsideOption()
    {
        var (document, scene) = Documents.Photo(seed: 7);
        var selection = Documents.Rect(scene.Box);
        document.Selection = HostSelection.Rectangle(document.Size, selection);
        var original = document.Layers[0].ToArray();
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        var cutOut = session.Render().Layer;

        session.Set(Names.Output, OutputMode.MaskPreview);
        var mask = session.Render().Layer;
        for (int i = 0; i < mask.Length; i++)
        {
            byte v = cutOut[i].A > 0 ? (byte)255 : (byte)0;
            Assert.Equal(new ColorBgra32(v, v, v, 255), mask[i]);
        }

        session.Set(Names.Output, OutputMode.InvertedCutOut);
        var inverted = session.Render().Layer;
        for (int i = 0; i < inverted.Length; i++)
        {
            Assert.Equal(original[i].Bgr, inverted[i].Bgr);
            Assert.Equal(cutOut[i].A > 0 ? 0 : original[i].A, inverted[i].A);
        }

        session.Set(Names.Output, OutputMode.CutOut);
        session.Set(Names.ClearOutsideSelection, false);
        var kept = session.Render().Layer;
        int w = document.Size.Width;
        for (int i = 0; i < kept.Length; i++)
        {
            bool inside = selection.Contains(i % w, i / w);
            Assert.Equal(inside ? cutOut[i] : original[i], kept[i]);
        }
        Assert.Equal(1, session.Effect.CutsComputed); // output changes never cut again
    }

    [Fact]
    public void HintLayersOverrideTheCut()
    {
        var (document, scene) = Documents.Photo(seed: 8);
        var box = scene.Box;
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(box));
        // Object hints on a background corner inside the selection; background hints on an object strip.
        var fgPatch = new RectInt32(box.X + 1, box.Y + 1, 6, 6);
        var truthBounds = scene.Truth.Bounds();
        var bgPatch = new RectInt32(truthBounds.X + truthBounds.Width / 2 - 3, truthBounds.Y + truthBounds.Height / 2 - 3, 6, 6);
        Documents.Hints(document, "object hints", (x, y) => fgPatch.Contains(x, y));
        Documents.Hints(document, "background hints", (x, y) => bgPatch.Contains(x, y));
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        // The pickers default to the layers named for them.
        Assert.Equal(1, (int)session.Properties[Names.ForegroundHints]!.Value!);
        Assert.Equal(2, (int)session.Properties[Names.BackgroundHints]!.Value!);
        var control = session.ConfigUI.FindControlForPropertyName(Names.ForegroundHints)!;
        Assert.Equal("object hints (layer 2)", control.GetValueDisplayName(1));
        Assert.Equal("(none)", control.GetValueDisplayName(-1));
        var layer = session.Render().Layer;
        int w = document.Size.Width;
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
            {
                Assert.Equal(255, layer[(fgPatch.Y + y) * w + fgPatch.X + x].A);
                Assert.Equal(0, layer[(bgPatch.Y + y) * w + bgPatch.X + x].A);
            }
    }

    [Fact]
    public void WithoutASelectionOrAModelTheUserIsToldToSelectTheObject()
    {
        var (document, _) = Documents.Photo(seed: 9);
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() =>
            EffectHost.Run<SmartCutEffect>(document, 0, p => p[Names.ObjectModel]!.Value = SmartCutEffect.NoModel));
        Assert.Contains("needs a selection around the object", error.Message);
        Assert.Contains("or choose an object model", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }

    [Fact]
    public void WithoutASelectionOnAPhotoWithNoSubjectTheUserIsToldToSelectTheObject()
    {
        // A smooth grey ramp: u2netp finds no subject in it. Cutting anyway would give GrabCut's guess from the photo's
        // frame (three quarters of an 800×600 ramp); the user is asked for a selection instead, and the layer is untouched.
        var document = new HostDocument(new SizeInt32(200, 150));
        document.AddLayer("Background", (x, _) => { byte v = (byte)(x * 255 / 199); return new ColorBgra32(v, v, v, 255); });
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<SmartCutEffect>(document, 0));
        Assert.Contains("the object model finds no subject in it", error.Message);
        Assert.Contains("Select the object", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }

    [Fact]
    public void WithoutASelectionTheModelsSubjectIsCutOut()
    {
        // No selection is the whole canvas: with an object model, the photo's subject is the object (the engine's
        // whole-photo request, as Select Subject), checked against the lemur's trimap.
        var (document, image) = Documents.Lemur();
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        var layer = session.Render().Layer;
        Assert.Equal(EngineCut(document, Hard), layer);
        Assert.True(session.Effect.LastTrust!.WholePhoto);
        Assert.Equal("trusted (the whole photo is selected: its subject is the object)", session.Effect.LastTrust.Describe());
        var trimap = PdnSegmentation.Cli.Files.ImageFiles.ReadGray(Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur_trimap.png"), "trimap");
        long foreground = 0, kept = 0, background = 0, removed = 0;
        for (int i = 0; i < layer.Length; i++)
        {
            if (trimap.Values[i] == 255) { foreground++; if (layer[i].A == 255) kept++; }
            if (trimap.Values[i] == 0) { background++; if (layer[i].A == 0) removed++; }
        }
        Assert.True(kept >= 0.97 * foreground, $"kept {kept / (double)foreground:P1} of the lemur's definite foreground");
        Assert.True(removed >= 0.97 * background, $"removed {removed / (double)background:P1} of its definite background");
        _ = image;
    }

    [Fact]
    public void AnOpaqueHintsLayerIsRefusedByName()
    {
        var (document, scene) = Documents.Photo(seed: 10);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        Documents.Hints(document, "photo copy", (_, _) => true);
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() =>
            EffectHost.Run<SmartCutEffect>(document, 0, p => p[Names.ForegroundHints]!.Value = 1));
        Assert.Contains("'photo copy'", error.Message);
        Assert.Contains("opaque everywhere", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }

    [Fact]
    public void CancellingLeavesTheLayerAsItWas()
    {
        var (document, scene) = Documents.Photo(1200, 900, seed: 11);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        var original = document.Layers[0].ToArray();
        var run = EffectHost.Run<SmartCutEffect>(document, 0, p => p[Names.EdgeQuality]!.Value = EdgeQuality.RefinedMatte,
            new RenderPlan { CancelAfter = TimeSpan.FromMilliseconds(20) });
        Assert.Equal(original, run.Layer);
    }

    [Fact]
    public void TheObjectModelGuidesTheCutOfTheLemurAndRunsOncePerModelChoice()
    {
        var (document, image) = Documents.Lemur();
        var box = new RectInt32(120, 40, 430, 400);
        document.Selection = HostSelection.Rectangle(document.Size, box);
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        var guided = session.Render().Layer;
        Assert.Equal(EngineCut(document, Hard), guided);
        Assert.Equal("trusted", session.Effect.LastTrust!.Describe());
        Assert.NotNull(session.Effect.LastDevice);

        // Iterations, edge and output changes cut again (or not) without running the model again.
        session.Set(Names.Iterations, 3);
        session.Render();
        session.Set(Names.EdgeQuality, EdgeQuality.BorderMatting);
        session.Render();
        Assert.Equal(1, session.Effect.ModelRuns);
        Assert.Equal(2, session.Effect.CutsComputed);

        // "none" is GrabCut alone: a different cut, and the same as the engine's without a model.
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        session.Set(Names.Iterations, 5);
        session.Set(Names.ObjectModel, SmartCutEffect.NoModel);
        var plain = session.Render().Layer;
        Assert.Null(session.Effect.LastTrust);
        Assert.Equal(EngineCut(document, Hard, model: SmartCutEffect.NoModel), plain);
        Assert.NotEqual(plain, guided);
        Assert.Equal(1, session.Effect.ModelRuns);
        _ = image;
    }

    [Fact]
    public void TheObjectModelChoiceListsTheBundledModelsFirstThenNone()
    {
        var (document, scene) = Documents.Photo(seed: 13);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        var choice = (StaticListChoiceProperty)session.Properties[Names.ObjectModel]!;
        var values = choice.ValueChoices.Cast<string>().ToList();
        Assert.Equal("u2netp", values[0]);
        Assert.Equal("u2netp", (string)choice.DefaultValue);
        Assert.Equal(SmartCutEffect.NoModel, values[^1]);
        Assert.Contains("mediapipe-selfie-segmentation", values);
        var control = session.ConfigUI.FindControlForPropertyName(Names.ObjectModel)!;
        Assert.StartsWith("u2netp: ", control.GetValueDisplayName("u2netp"));
        Assert.Equal("None: colours alone (classic GrabCut)", control.GetValueDisplayName(SmartCutEffect.NoModel));
    }

    [Fact]
    public void TheDialogIsBuiltWithTitleHelpAndLabels()
    {
        var (document, scene) = Documents.Photo(seed: 12);
        document.Selection = HostSelection.Rectangle(document.Size, Documents.Rect(scene.Box));
        using var session = EffectHost.Open<SmartCutEffect>(document, 0);
        var run = session.Render();
        Assert.Equal("Smart Cut", run.WindowProperties[ControlInfoPropertyNames.WindowTitle]!.Value);
        Assert.Contains("Select the object", (string)run.WindowProperties[ControlInfoPropertyNames.WindowHelpContent]!.Value!);
        var edge = session.ConfigUI.FindControlForPropertyName(Names.EdgeQuality)!;
        Assert.Equal("Refined matte (hair and fur, slower)", edge.GetValueDisplayName(EdgeQuality.RefinedMatte));
        var info = ((IEffect)session.Effect).EffectInfo;
        Assert.Equal("Smart Cut", info.Name);
        Assert.Equal(SubmenuNames.Object, info.SubmenuName);
        Assert.NotNull(info.GetImage());
        Assert.Equal(32, info.GetImage()!.Size.Width);
    }
}
