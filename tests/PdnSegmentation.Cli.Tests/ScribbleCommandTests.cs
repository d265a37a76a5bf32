using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Mrf;
using PdnSegmentation.Scribbles;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests;

public class ScribbleCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly Bgra32 Yellow = Bgra32.FromRgb(255, 255, 207), Red = Bgra32.FromRgb(219, 0, 0);

    /// <summary>A cluttered scene and a stroke image: a yellow line across the object, red lines along two edges.</summary>
    private (string Image, string Scribbles, SyntheticScene Scene, ColorImage Strokes) Scene(int seed = 3)
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, seed);
        var strokes = new ColorImage(160, 120);
        strokes.Data.Clear(); // transparent black: no stroke
        var box = scene.Truth.Bounds();
        int cy = box.Y + box.Height / 2;
        for (int x = box.X + box.Width / 3; x < box.X + 2 * box.Width / 3; x++) { strokes[x, cy] = Yellow; strokes[x, cy + 1] = Yellow; }
        for (int x = 0; x < 160; x++) { strokes[x, 1] = Red; strokes[x, 118] = Red; }
        return (_cli.WriteImage("photo.png", scene.Image), _cli.WriteImage("strokes.png", strokes), scene, strokes);
    }

    [Fact]
    public void LazySnapWritesTheEnginesCutOutAndMask()
    {
        var (image, scribbles, scene, strokes) = Scene();
        var (exit, _, stderr) = _cli.Run("lazysnap", image, "--scribbles", scribbles, "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
        var expected = new LazySnapSession(scene.Image).Segment(ScribbleMasks.FromColorImage(strokes, Yellow, Red)).Foreground;
        var (_, _, mask) = ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask");
        Assert.Equal(expected.ToBytes(), mask);
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        Assert.Equal(Compositing.CutOut(scene.Image, expected).Data.ToArray(), cut.Data.ToArray());
        Assert.True(SyntheticScene.IoU(expected, scene.Truth) > 0.9);
    }

    [Fact]
    public void StrokeColourNotFoundNamesTheColour()
    {
        var (image, scribbles, _, _) = Scene();
        var (exit, _, stderr) = _cli.Run("lazysnap", image, "--scribbles", scribbles, "--fg-color", "#00FF00", "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("no object stroke", stderr);
        Assert.Contains("#00FF00", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Fact]
    public void ScribblesOfAnotherSizeAreBadInput()
    {
        var (image, _, _, _) = Scene();
        string other = _cli.WriteImage("small.png", new ColorImage(80, 60));
        var (exit, _, stderr) = _cli.Run("lazysnap", image, "--scribbles", other, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("small.png", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Theory]
    [InlineData("--fg-color", "yellow")]
    [InlineData("--tolerance", "300")]
    public void MalformedLazySnapOptionsAreUsageErrors(string option, string value)
    {
        var (image, scribbles, _, _) = Scene();
        var (exit, _, stderr) = _cli.Run("lazysnap", image, "--scribbles", scribbles, option, value, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(2, exit);
        Assert.Contains(option, stderr);
    }

    [Fact]
    public void MrfWritesTheEnginesLabels()
    {
        var (image, _, scene, _) = Scene();
        var (exit, stdout, stderr) = _cli.Run("mrf", image, "--labels", "3", "--beta", "4", "-o", _cli.PathOf("labels.png"));
        Assert.True(exit == 0, stderr);
        var expected = PottsSegmentation.AlphaExpansion(scene.Image, LabelModels.FromImage(scene.Image, 3), new PottsOptions { Coupling = 4 });
        var (_, _, grey) = ImageFiles.ReadGray(_cli.PathOf("labels.png"), "labels");
        Assert.Equal(expected.Labels.Select(l => (byte)(l * 255 / 2)).ToArray(), grey);
        Assert.Contains("expansion cycles", stdout);
    }

    [Theory]
    [InlineData("--labels", "1")]
    [InlineData("--beta", "-2")]
    [InlineData("--method", "annealing")]
    public void MalformedMrfOptionsAreUsageErrors(string option, string value)
    {
        var (image, _, _, _) = Scene();
        var args = option == "--labels" ? new[] { "mrf", image, "--labels", value, "-o", _cli.PathOf("l.png") } : new[] { "mrf", image, "--labels", "3", option, value, "-o", _cli.PathOf("l.png") };
        var (exit, _, stderr) = _cli.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(option == "--method" ? "annealing" : option, stderr);
        Assert.False(File.Exists(_cli.PathOf("l.png")));
    }
}
