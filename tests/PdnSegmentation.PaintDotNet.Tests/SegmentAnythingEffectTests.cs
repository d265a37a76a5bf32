using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Effects;
using Names = PdnSegmentation.PaintDotNet.Effects.SegmentAnythingEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

/// <summary>
/// Segment Anything (click to select) in the test host: with the generated SAM-contract model installed beside the plugin,
/// and without any Segment Anything model (the click engine with the bundled u2netp, or alone).
/// </summary>
[Collection(ModelsBesideThePlugin.Name)]
public class SegmentAnythingEffectTests
{
    private static readonly string Installed = Path.Combine(AppContext.BaseDirectory, "models", "sam-contract-test");

    public SegmentAnythingEffectTests()
    {
        Directory.CreateDirectory(Installed);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "SamFixture")))
            File.Copy(file, Path.Combine(Installed, Path.GetFileName(file)), overwrite: true);
    }

    private static (HostDocument Document, ColorImage Image) Photo()
    {
        var (document, _) = Documents.Photo(400, 300, seed: 21);
        return (document, Documents.ToImage(document.Layers[0]));
    }

    /// <summary>An object dot centred (200, 150), a background dot centred (60, 40), and optionally the selection's box.</summary>
    private static (HostDocument Document, ColorImage Image) Prompted(bool box)
    {
        var (document, image) = Photo();
        var points = document.AddLayer("points");
        for (int y = 148; y < 153; y++) for (int x = 198; x < 203; x++) points[x, y] = document.PrimaryColor;
        for (int y = 38; y < 43; y++) for (int x = 58; x < 63; x++) points[x, y] = document.SecondaryColor;
        if (box) document.Selection = HostSelection.Rectangle(document.Size, new RectInt32(120, 80, 160, 140));
        return (document, image);
    }

    private static readonly Click[] Dots = [new(200, 150, true), new(60, 40, false)];

    private static string Status<T>(EffectSession<T> session) where T : global::PaintDotNet.Effects.PropertyBasedBitmapEffect =>
        (string)session.ConfigUI.FindControlForPropertyName(Names.DeviceStatus)!.ControlProperties[ControlInfoPropertyNames.Description]!.Value!;

    private static ModelStore Store => ModelStore.Beside(AppContext.BaseDirectory);

    [Fact]
    public void DotsAndTheSelectionBoxGiveTheClickEnginesMaskWithTheSamPrior()
    {
        var (document, image) = Prompted(box: true);
        using var session = EffectHost.Open<SegmentAnythingEffect>(document, 0);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        var run = session.Render();
        using var engine = ClickModel.Open(Store, "sam-contract-test", ExecutionDevice.Cpu);
        var expected = new ClickSession(image, null, new PixelRect(120, 80, 160, 140), engine.PriorFor(image)).AddRange(Dots);
        Assert.Equal(Documents.ToPixels(Compositing.CutOut(image, expected)), run.Layer);
        Assert.Equal("Engine: click engine with Segment Anything (sam-contract-test). Runs on: CPU.", Status(session));
        session.Set(Names.Output, OutputMode.MaskPreview);
        session.Render();
        Assert.Equal(1, session.Effect.EncoderRuns);
    }

    [Theory]
    [InlineData("u2netp", "click engine with u2netp's salient object")]
    [InlineData("classic", "click engine (graph cut, no model)")]
    public void WithoutASegmentAnythingModelTheClickEngineRunsOutOfTheBox(string engineName, string description)
    {
        Directory.Delete(Installed, recursive: true); // the next test's constructor installs it again
        var (document, image) = Prompted(box: false);
        using var session = EffectHost.Open<SegmentAnythingEffect>(document, 0);
        Assert.Equal("u2netp", session.Properties[Names.Model]!.Value); // the default without Segment Anything
        Assert.StartsWith("Engine: click engine with u2netp's salient object. Runs on: ", Status(session));
        session.Set(Names.Model, engineName);
        session.Set(Names.Device, ExecutionDevice.Cpu);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        var run = session.Render();
        using var engine = ClickModel.Open(Store, engineName, ExecutionDevice.Cpu);
        var expected = new ClickSession(image, null, null, engine.PriorFor(image)).AddRange(Dots);
        Assert.Equal(Documents.ToPixels(Compositing.CutOut(image, expected)), run.Layer);
        Assert.Equal(description, session.Effect.LastEngine);
        Assert.True(expected[200, 150] && !expected[60, 40]);
    }

    [Fact]
    public void WithoutAPromptTheUserIsToldWhatToDraw()
    {
        var (document, _) = Photo();
        var original = document.Layers[0].ToArray();
        var error = Assert.Throws<SegmentationInputException>(() => EffectHost.Run<SegmentAnythingEffect>(document, 0));
        Assert.Contains("needs a prompt", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
    }
}
