using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Effects;
using PdnSegmentation.TestSupport;
using Names = PdnSegmentation.PaintDotNet.Effects.SelectSubjectEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

public class SelectSubjectEffectTests
{
    private static (HostDocument Document, ColorImage Image) LemurDocument()
    {
        var image = PdnSegmentation.Cli.Files.ImageFiles.ReadColor(Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png"));
        var document = new HostDocument(new SizeInt32(image.Width, image.Height));
        var layer = document.AddLayer("Background");
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                layer[x, y] = new ColorBgra32(p.B, p.G, p.R, p.A);
            }
        return (document, image);
    }

    [Theory]
    [InlineData(SubjectModelKind.U2Netp, EdgeQuality.Hard)]
    [InlineData(SubjectModelKind.Selfie, EdgeQuality.RefinedMatte)]
    public void GivesTheEnginesSubjectCutOut(SubjectModelKind model, EdgeQuality quality)
    {
        var (document, image) = LemurDocument();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, model);
        session.Set(Names.Device, ExecutionDevice.Cpu);
        session.Set(Names.EdgeQuality, quality);
        var run = session.Render();
        string models = Path.Combine(AppContext.BaseDirectory, "models");
        using var selector = SubjectSelector.Open(models, model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var subject = selector.Select(image);
        var (alpha, colors) = EdgeRefinement.Apply(image, subject.Mask, quality, 8, default);
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, alpha, colors, OutputMode.CutOut, null)), run.Layer);
        Assert.Equal("CPU", session.Effect.LastDevice!.Device);
        session.Set(Names.Output, OutputMode.MaskPreview);
        session.Render();
        Assert.Equal(1, session.Effect.ModelRuns); // output changes reuse the model's result
    }

    [Fact]
    public void ADirectMLRequestFallsBackToTheCpuAndSaysWhy()
    {
        if (OperatingSystem.IsWindows()) return;
        var (document, _) = LemurDocument();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, SubjectModelKind.Selfie);
        session.Set(Names.Device, ExecutionDevice.DirectML);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        session.Render();
        Assert.Equal("CPU", session.Effect.LastDevice!.Device);
        Assert.Contains("DirectML could not start", session.Effect.LastDevice.FallbackReason);
    }
}
