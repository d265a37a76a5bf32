using PaintDotNet.TestHost;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Effects;
using Names = PdnSegmentation.PaintDotNet.Effects.SelectSubjectEffect.PropertyNames;

namespace PdnSegmentation.PaintDotNet.Tests;

/// <summary>
/// Tests that install models into models/ beside the plugin (the test's output folder) change what the effects see,
/// so they run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ModelsBesideThePlugin
{
    public const string Name = "models beside the plugin";
}

/// <summary>With a deep matting model installed, the refined edge of Select Subject is that model's matte.</summary>
[Collection(ModelsBesideThePlugin.Name)]
public class DeepMattingEffectTests
{
    [Fact]
    public void SelectSubjectsRefinedEdgeUsesAnInstalledDeepMattingModel()
    {
        string installed = Path.Combine(AppContext.BaseDirectory, "models", "matting-contract-test");
        Directory.CreateDirectory(installed);
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "MattingFixture")))
                File.Copy(file, Path.Combine(installed, Path.GetFileName(file)), overwrite: true);
            var (document, image) = Documents.Lemur();
            using var session = EffectHost.Open<SelectSubjectEffect>(document, 0);
            session.Set(Names.Model, "mediapipe-selfie-segmentation");
            session.Set(Names.Device, ExecutionDevice.Cpu);
            session.Set(Names.EdgeQuality, EdgeQuality.RefinedMatte);
            var run = session.Render();

            using var selector = SubjectSelector.Open(Documents.BundledModel("mediapipe-selfie-segmentation"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
            var subject = selector.Select(image);
            using var deep = DeepMatting.Open(InstalledModel.Load(installed), ExecutionDevice.Cpu);
            var band = new PdnSegmentation.Trimaps.TrimapBandOptions { BandWidth = 8 };
            var expected = EdgeRefinement.FromMatte(MattingAnything.FromSubject(image, subject, band, deepMatting: deep));
            Assert.Equal(Documents.ToPixels(CutOutput.Compose(image, expected.Alpha, expected.Colors, OutputMode.CutOut, null)), run.Layer);
            var classic = EdgeRefinement.FromMatte(MattingAnything.FromSubject(image, subject, band));
            Assert.NotEqual(Documents.ToPixels(CutOutput.Compose(image, classic.Alpha, classic.Colors, OutputMode.CutOut, null)), run.Layer);
        }
        finally
        {
            Directory.Delete(installed, recursive: true);
        }
    }
}
