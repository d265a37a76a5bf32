using static PdnSegmentation.Deep.Tests.Pdnseg;
using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary><c>pdnseg sam</c> with the generated contract model installed in a temporary models folder.</summary>
public class SamCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-sam-").FullName;
    private readonly string _models;

    public SamCommandTests()
    {
        _models = Path.Combine(_folder, "models");
        string installed = Path.Combine(_models, "sam-contract-test");
        Directory.CreateDirectory(installed);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "SamModels")))
            File.Copy(file, Path.Combine(installed, Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);


    private static string Lemur => Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");

    [Fact]
    public void WritesTheRuntimesMaskForClicksAndABox()
    {
        string mask = Path.Combine(_folder, "mask.png");
        var (exit, stdout, stderr) = Run("sam", Lemur, "--box", "100,50,400,300", "--point", "340,220", "--point", "200,120:bg", "--models-dir", _models, "--mask-out", mask);
        Assert.True(exit == 0, stderr);
        Assert.Contains("sam-contract-test", stdout);
        using var sam = SegmentAnything.Open(InstalledModel.Discover(_models).Single(), ExecutionDevice.Cpu);
        var expected = sam.Segment(ImageFiles.ReadColor(Lemur), new SamPrompt(new PixelRect(100, 50, 400, 300), [(340, 220, true), (200, 120, false)]));
        var (_, _, written) = ImageFiles.ReadGray(mask, "mask");
        Assert.Equal(expected.Mask.ToBytes(), written);
    }

    [Fact]
    public void WithoutAnInstalledModelTheUserIsToldWhatToInstall()
    {
        string mask = Path.Combine(_folder, "mask.png");
        var (exit, _, stderr) = Run("sam", Lemur, "--point", "340,220", "--models-dir", Path.Combine(_folder, "empty"), "--mask-out", mask);
        Assert.Equal(1, exit);
        Assert.Contains("No Segment Anything model is installed", stderr);
        Assert.False(File.Exists(mask));
    }

    [Theory]
    [InlineData("--point", "340")]
    [InlineData("--point", "340,220:maybe")]
    [InlineData("--box", "1,2,3")]
    public void MalformedPromptsAreUsageErrors(string option, string value)
    {
        var (exit, _, stderr) = Run("sam", Lemur, option, value, "--models-dir", _models, "--mask-out", Path.Combine(_folder, "m.png"));
        Assert.Equal(2, exit);
        Assert.Contains(option, stderr);
    }

    [Fact]
    public void APointOutsideTheImageIsBadInput()
    {
        var (exit, _, stderr) = Run("sam", Lemur, "--point", "5000,20", "--models-dir", _models, "--mask-out", Path.Combine(_folder, "m.png"));
        Assert.Equal(1, exit);
        Assert.Contains("outside", stderr);
    }
}
