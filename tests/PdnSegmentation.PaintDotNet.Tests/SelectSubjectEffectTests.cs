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
    [InlineData("u2netp", EdgeQuality.Hard)]
    [InlineData("mediapipe-selfie-segmentation", EdgeQuality.RefinedMatte)]
    public void GivesTheEnginesSubjectCutOut(string model, EdgeQuality quality)
    {
        var (document, image) = Documents.Lemur();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, model);
        session.Set(Names.Device, ExecutionDevice.Cpu);
        session.Set(Names.EdgeQuality, quality);
        var run = session.Render();
        using var selector = SubjectSelector.Open(Documents.BundledModel(model), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
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
    public void TheRefinementAndCleanUpOptionsReuseTheModelsOutput()
    {
        var (document, image) = Documents.Lemur();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, "u2netp");
        session.Set(Names.Device, ExecutionDevice.Cpu);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        session.Set(Names.Refine, false);
        var modelAlone = session.Render().Layer;
        session.Set(Names.Refine, true);
        session.Set(Names.MainObjectOnly, false);
        session.Set(Names.FillHoles, 5);
        var refined = session.Render().Layer;
        Assert.Equal(1, session.Effect.ModelRuns);

        using var selector = SubjectSelector.Open(Documents.BundledModel("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        var subject = selector.Select(image);
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, AlphaMatte.FromMask(subject.Mask).Values.ToArray(), null, OutputMode.CutOut, null)), modelAlone);
        var options = new PdnSegmentation.Segmentation.SoftMaskRefinementOptions { Cleanup = new() { MainObjectOnly = false, MaxHoleFraction = 0.05 } };
        var expected = SubjectSelector.FromProbability(image, subject.Probability, subject.ModelPixelSize, subject.Device, options).Mask;
        Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, AlphaMatte.FromMask(expected).Values.ToArray(), null, OutputMode.CutOut, null)), refined);
        Assert.NotEqual(modelAlone, refined);
    }

    [Fact]
    public void ASubjectModelTheUserInstalledIsOfferedAfterTheBundledOnesAndRunsWithTheRefinement()
    {
        // The IS-Net-contract test model, installed as the catalogue's isnet-general-use into the user's folder.
        string users = Directory.CreateTempSubdirectory("pdnseg-user-models-").FullName;
        string previous = Environment.GetEnvironmentVariable(PdnSegmentation.Deep.Models.ModelStore.UserFolderVariable) ?? "";
        try
        {
            string installed = Path.Combine(users, "isnet-general-use");
            Directory.CreateDirectory(installed);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "SubjectFixture", "model.onnx"), Path.Combine(installed, "model.onnx"));
            File.WriteAllText(Path.Combine(installed, "model.json"),
                File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SubjectFixture", "model.json")).Replace("subject-nchw1024", "isnet-general-use", StringComparison.Ordinal));
            Environment.SetEnvironmentVariable(PdnSegmentation.Deep.Models.ModelStore.UserFolderVariable, users);
            var (document, image) = Documents.Lemur();
            using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
            var choices = ((global::PaintDotNet.PropertySystem.StaticListChoiceProperty)session.Properties[Names.Model]!).ValueChoices.Cast<string>().ToList();
            Assert.Equal(["u2netp", "mediapipe-selfie-segmentation", "isnet-general-use"], choices);
            session.Set(Names.Model, "isnet-general-use");
            session.Set(Names.Device, ExecutionDevice.Cpu);
            session.Set(Names.EdgeQuality, EdgeQuality.Hard);
            var run = session.Render();
            using var selector = SubjectSelector.Open(PdnSegmentation.Deep.Runtime.InstalledModel.Load(installed), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
            var mask = selector.Select(image).Mask;
            Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, AlphaMatte.FromMask(mask).Values.ToArray(), null, OutputMode.CutOut, null)), run.Layer);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PdnSegmentation.Deep.Models.ModelStore.UserFolderVariable, previous.Length == 0 ? null : previous);
            Directory.Delete(users, recursive: true);
        }
    }

    [Fact]
    public void ADirectMLRequestFallsBackToTheCpuAndSaysWhy()
    {
        if (OperatingSystem.IsWindows()) return;
        var (document, _) = Documents.Lemur();
        using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
        session.Set(Names.Model, "mediapipe-selfie-segmentation");
        session.Set(Names.Device, ExecutionDevice.DirectML);
        session.Set(Names.EdgeQuality, EdgeQuality.Hard);
        session.Render();
        Assert.Equal("CPU", session.Effect.LastDevice!.Device);
        Assert.Contains("DirectML could not start", session.Effect.LastDevice.FallbackReason);
    }
}
