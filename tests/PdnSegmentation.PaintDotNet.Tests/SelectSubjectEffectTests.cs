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

[Collection(ModelsBesideThePlugin.Name)]
public class SelectSubjectEffectTests
{
    [Theory]
    [InlineData(SubjectModelKind.U2Netp, EdgeQuality.Hard)]
    [InlineData(SubjectModelKind.Selfie, EdgeQuality.RefinedMatte)]
    public void GivesTheEnginesSubjectCutOut(SubjectModelKind model, EdgeQuality quality)
    {
        var (document, image) = Documents.Lemur();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, model);
        session.Set(Names.Device, ExecutionDevice.Cpu);
        session.Set(Names.EdgeQuality, quality);
        var run = session.Render();
        string models = Path.Combine(AppContext.BaseDirectory, "models");
        using var selector = SubjectSelector.Open(models, model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var subject = selector.Select(image);
        // The refined edge is the Matting Anything chain on the model's result; the others are Smart Cut's edges.
        var (alpha, colors) = quality == EdgeQuality.RefinedMatte
            ? EdgeRefinement.FromMatte(MattingAnything.FromSubject(image, subject, new PdnSegmentation.Trimaps.TrimapBandOptions { BandWidth = 8 }))
            : EdgeRefinement.Apply(image, subject.Mask, quality, 8, default);
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
        var (document, _) = Documents.Lemur();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, SubjectModelKind.Selfie);
        session.Set(Names.Device, ExecutionDevice.DirectML);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        session.Render();
        Assert.Equal("CPU", session.Effect.LastDevice!.Device);
        Assert.Contains("DirectML could not start", session.Effect.LastDevice.FallbackReason);
    }
}
