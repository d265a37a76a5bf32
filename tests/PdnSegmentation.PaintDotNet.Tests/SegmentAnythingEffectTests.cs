using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Effects;
using Names = PdnSegmentation.PaintDotNet.Effects.SegmentAnythingEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

/// <summary>Segment Anything in the test host, with the generated SAM-contract model installed beside the plugin.</summary>
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

    [Fact]
    public void DotsOnAPointsLayerAndTheSelectionBoxGiveTheRuntimesMask()
    {
        var (document, image) = Photo();
        var points = document.AddLayer("points");
        for (int y = 148; y < 153; y++) for (int x = 198; x < 203; x++) points[x, y] = document.PrimaryColor;   // object dot centred (200, 150)
        for (int y = 38; y < 43; y++) for (int x = 58; x < 63; x++) points[x, y] = document.SecondaryColor;      // background dot centred (60, 40)
        document.Selection = HostSelection.Rectangle(document.Size, new RectInt32(120, 80, 160, 140));
        using var session = EffectHost.Open<SegmentAnythingEffect>(document, 0);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        var run = session.Render();
        using var sam = SegmentAnything.Open(InstalledModel.Load(Installed), ExecutionDevice.Cpu);
        var expected = sam.Segment(image, new SamPrompt(new PixelRect(120, 80, 160, 140), [(200, 150, true), (60, 40, false)]));
        Assert.Equal(Documents.ToPixels(Compositing.CutOut(image, expected.Mask)), run.Layer);
        var status = session.ConfigUI.FindControlForPropertyName(Names.DeviceStatus)!.ControlProperties[ControlInfoPropertyNames.Description]!.Value;
        Assert.Equal("Runs on: CPU.", status);
        session.Set(Names.Output, OutputMode.MaskPreview);
        session.Render();
        Assert.Equal(1, session.Effect.EncoderRuns);
    }

    [Fact]
    public void WithoutAnInstalledModelTheUserIsToldToInstallOne()
    {
        Directory.Delete(Installed, recursive: true); // the next test's constructor installs it again
        var (document, _) = Photo();
        document.Selection = HostSelection.Rectangle(document.Size, new RectInt32(120, 80, 160, 140));
        var original = document.Layers[0].ToArray();
        using var session = EffectHost.Open<SegmentAnythingEffect>(document, 0);
        var status = (string)session.ConfigUI.FindControlForPropertyName(Names.DeviceStatus)!.ControlProperties[ControlInfoPropertyNames.Description]!.Value!;
        Assert.Contains("No Segment Anything model is installed", status);
        var error = Assert.Throws<SegmentationInputException>(() => session.Render());
        Assert.Contains("install one", error.Message);
        Assert.Equal(original, document.Layers[0].ToArray());
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
