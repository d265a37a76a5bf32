using static PdnSegmentation.Deep.Tests.Pdnseg;
using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary><c>pdnseg select</c> on the lemur: the click engine with the bundled u2netp's prior, alone, or with an installed SAM model.</summary>
public sealed class SelectCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-select-").FullName;
    private static string Lemur => Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);


    private ModelStore Store => ModelStore.Beside(AppContext.BaseDirectory) with { UserFolder = PathOf("user-models") };

    private static readonly Click[] Clicks = [new(330, 230, true), new(60, 60, false), new(350, 380, true)];
    private static readonly string[] ClickArguments = ["--point", "330,230", "--point", "60,60:bg", "--point", "350,380:fg"];

    private Mask Expected(string? model)
    {
        var image = ImageFiles.ReadColor(Lemur);
        using var engine = ClickModel.Open(Store, model, ExecutionDevice.Cpu);
        return new ClickSession(image, null, null, engine.PriorFor(image)).AddRange(Clicks);
    }

    [Theory]
    [InlineData(null, "click engine with u2netp's salient object", 0.95)] // the default without Segment Anything: the bundled model
    [InlineData("classic", "click engine (graph cut, no model)", 0.90)]
    public void TheMaskIsTheEnginesForTheSameClicks(string? model, string description, double minimumAgreement)
    {
        string[] args = ["select", Lemur, .. ClickArguments, "--models-dir", PathOf("user-models"), "--device", "cpu", "--mask-out", PathOf("mask.png")];
        if (model is not null) args = [.. args, "--model", model];
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, stderr);
        Assert.Contains(description, stdout);
        Assert.Equal(Expected(model).ToBytes(), ImageFiles.ReadGray(PathOf("mask.png"), "mask").Values);
        Assert.Equal(["mask.png"], Directory.GetFiles(_folder).Select(Path.GetFileName)); // --mask-out alone is enough
        double agreement = SelectSubjectTests.AgreementWithTrimap(Expected(model));
        Assert.True(agreement > minimumAgreement, $"{agreement:P1} of the trimap's definite pixels agree");
    }

    [Fact]
    public void WithASegmentAnythingModelInstalledItIsTheDefaultPrior()
    {
        var (exit, _, stderr) = Run("models", "install", "mobilesam", "--models-dir", PathOf("user-models"),
            "--from", $"encoder={Path.Combine(AppContext.BaseDirectory, "SamModels", "encoder.onnx")}", "--from", $"decoder={Path.Combine(AppContext.BaseDirectory, "SamModels", "decoder.onnx")}");
        Assert.True(exit == 0, stderr);
        var (selected, stdout, error) = Run(["select", Lemur, .. ClickArguments, "--box", "100,20,520,400", "--models-dir", PathOf("user-models"), "--device", "cpu", "-o", PathOf("cut.png")]);
        Assert.True(selected == 0, error);
        Assert.Contains("click engine with Segment Anything (mobilesam)", stdout);
        var image = ImageFiles.ReadColor(Lemur);
        using var engine = ClickModel.Open(Store, null, ExecutionDevice.Cpu);
        Assert.Equal("mobilesam", engine.Name);
        var expected = new ClickSession(image, null, new PixelRect(100, 20, 520, 400), engine.PriorFor(image)).AddRange(Clicks);
        var cut = ImageFiles.ReadColor(PathOf("cut.png"));
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                Assert.Equal(expected[x, y] ? 255 : 0, cut[x, y].A);
    }

    [Theory]
    [InlineData(1, "lies outside the 680×440 image", "--point", "700,20")]
    [InlineData(1, "click on the object", "--point", "50,50:bg")]
    [InlineData(1, "lies outside the 680×440 image", "--box", "900,900,20,20")]
    [InlineData(1, "outside the box", "--point", "10,10", "--box", "100,20,520,400")]
    [InlineData(2, "Give at least one click", "--model", "classic")]
    public void BadPromptsAreRefusedAndNothingIsWritten(int code, string message, params string[] prompt)
    {
        var (exit, _, stderr) = Run(["select", Lemur, .. prompt, "--models-dir", PathOf("user-models"), "--mask-out", PathOf("mask.png"), "-o", PathOf("cut.png")]);
        Assert.Equal(code, exit);
        Assert.Contains(message, stderr);
        Assert.Empty(Directory.GetFiles(_folder));
    }
}
