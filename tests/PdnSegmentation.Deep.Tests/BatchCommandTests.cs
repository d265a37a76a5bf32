using static PdnSegmentation.Deep.Tests.Pdnseg;
using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>The model commands over several images: the model is loaded once, each image's files are the single command's.</summary>
public sealed class BatchCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-batch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);


    /// <summary>The lemur and its mirror image in photos/.</summary>
    private string Photos()
    {
        string photos = Directory.CreateDirectory(PathOf("photos")).FullName;
        string lemur = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");
        File.Copy(lemur, Path.Combine(photos, "lemur.png"));
        var image = ImageFiles.ReadColor(lemur);
        var mirrored = new ColorImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                mirrored[x, y] = image[image.Width - 1 - x, y];
        string path = Path.Combine(photos, "mirrored.png");
        File.WriteAllBytes(path, ImageFiles.EncodeColor(mirrored, path));
        return photos;
    }

    [Theory]
    [InlineData("subject")]
    [InlineData("select")]
    public void EachImageGetsTheSingleCommandsFiles(string command)
    {
        string photos = Photos();
        string[] prompt = command == "select" ? ["--point", "330,230", "--point", "20,20:bg"] : [];
        string outDir = Directory.CreateDirectory(PathOf("out")).FullName;
        var (exit, stdout, stderr) = Run([command, photos, .. prompt, "--device", "cpu", "--out-dir", outDir]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("2 images: 2 written, 0 failed", stdout);
        foreach (string name in new[] { "lemur", "mirrored" })
        {
            var one = Run([command, Path.Combine(photos, name + ".png"), .. prompt, "--device", "cpu", "-o", PathOf(name + ".png"), "--mask-out", PathOf(name + "-mask.png")]);
            Assert.True(one.Exit == 0, one.Error);
            Assert.Equal(File.ReadAllBytes(PathOf(name + ".png")), File.ReadAllBytes(Path.Combine(outDir, name + ".png")));
            Assert.Equal(File.ReadAllBytes(PathOf(name + "-mask.png")), File.ReadAllBytes(Path.Combine(outDir, name + "-mask.png")));
        }
        // The two images' masks differ (the batch did not write one result twice).
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(outDir, "lemur-mask.png")), File.ReadAllBytes(Path.Combine(outDir, "mirrored-mask.png")));
    }
}
