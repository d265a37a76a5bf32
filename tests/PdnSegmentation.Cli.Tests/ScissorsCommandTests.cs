using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Scissors;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests;

public class ScissorsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly SyntheticScene _scene = SyntheticScene.ObjectOnClutter(160, 120, 3);

    public void Dispose() => _cli.Dispose();

    /// <summary>A hurried user's polygon around the object: a vertex every 20 px of its contour, each moved by up to ±4 px.</summary>
    private (double X, double Y)[] Around() =>
        HurriedOutline.FromTruth(_scene.Truth.ToBytes(), 160, 120, seed: 1, spacing: 20, jitter: 4).Single().Points.ToArray();

    private static string[] Vertices(IEnumerable<(double X, double Y)> points) =>
        points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X},{p.Y}")).ToArray();

    [Fact]
    public void ThePolygonIsSnappedAsTheEngineSnapsIt()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, stdout, stderr) = _cli.Run(["scissors", image, "--polygon", .. Vertices(Around()), "--mask-out", _cli.PathOf("mask.png"), "-o", _cli.PathOf("cut.png")]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("snapped", stdout);
        var expected = EdgeSnapping.Snap(_scene.Image, [new Outline(Around())]).Foreground;
        Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask").Values);
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160; x++)
                Assert.Equal(expected[x, y] ? 255 : 0, cut[x, y].A);
        var drawn = EdgeSnapping.FillDrawn([new Outline(Around())], 160, 120);
        double snappedIoU = SegmentationScore.IntersectionOverUnion(expected, _scene.Truth), drawnIoU = SegmentationScore.IntersectionOverUnion(drawn, _scene.Truth);
        Assert.True(snappedIoU > drawnIoU + 0.02 && snappedIoU > 0.95, $"snapped IoU {snappedIoU:F4}, drawn {drawnIoU:F4}");
    }

    [Fact]
    public void AnOutlineMaskIsSnappedAsTheEngineSnapsItsOutlines()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var box = _scene.Box.Inflate(4);
        string outline = _cli.WriteMask("outline.png", Mask.FromRectangle(160, 120, box));
        var (exit, _, stderr) = _cli.Run("scissors", image, "--outline-mask", outline, "--mask-out", _cli.PathOf("mask.png"), "--corridor", "6");
        Assert.True(exit == 0, stderr);
        var expected = EdgeSnapping.Snap(_scene.Image, Outline.FromMask(Mask.FromRectangle(160, 120, box)), new EdgeSnapOptions { Corridor = 6 }).Foreground;
        Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask").Values);
    }

    [Fact]
    public void BorderMattingSoftensTheCutOutButNotTheMask()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, _, stderr) = _cli.Run(["scissors", image, "--polygon", .. Vertices(Around()), "--border-matting", "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png")]);
        Assert.True(exit == 0, stderr);
        var alpha = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        int soft = 0;
        for (int y = 0; y < 120; y++) for (int x = 0; x < 160; x++) if (alpha[x, y].A is > 0 and < 255) soft++;
        Assert.True(soft > 20, $"{soft} soft pixels");
        Assert.All(ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask").Values, v => Assert.True(v is 0 or 255));
    }

    [Theory]
    [InlineData("10,10 50,10", "at least three different vertices")]
    [InlineData("10,10 50,10 x,4", "is not a vertex")]
    [InlineData("10,10 500,10 50,60", "outside the 160×120 image")]
    public void BadPolygonsAreRefusedAndNothingIsWritten(string polygon, string message)
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, _, stderr) = _cli.Run(["scissors", image, "--polygon", .. polygon.Split(' '), "--mask-out", _cli.PathOf("mask.png")]);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal(new[] { "photo.png" }, _cli.Files());
    }

    [Fact]
    public void AnOutlineIsRequiredAndAnEmptyOutlineMaskIsRefused()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, _, stderr) = _cli.Run("scissors", image, "--mask-out", _cli.PathOf("mask.png"));
        Assert.Equal(2, exit);
        Assert.Contains("Give the rough outline", stderr);
        string empty = _cli.WriteMask("empty.png", new Mask(160, 120));
        (exit, _, stderr) = _cli.Run("scissors", image, "--outline-mask", empty, "--mask-out", _cli.PathOf("mask.png"));
        Assert.Equal(1, exit);
        Assert.Contains("outline mask is empty", stderr);
        Assert.Equal(new[] { "empty.png", "photo.png" }, _cli.Files());
    }
}
