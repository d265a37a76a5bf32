using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Tests;

public class MatteCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>A soft vertical edge between two flat colours, and a trimap around it.</summary>
    private (string Image, string Trimap, ColorImage Pixels, Trimap Labels) Scene()
    {
        int w = 60, h = 40;
        var image = new ColorImage(w, h);
        var trimap = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float a = Math.Clamp((x - 25) / 10f, 0, 1);
                image[x, y] = new Bgra32((byte)(a * 200 + (1 - a) * 30), (byte)(a * 50 + (1 - a) * 180), (byte)(a * 40 + (1 - a) * 90), 255);
                trimap[x, y] = x < 20 ? TrimapLabel.Background : x > 40 ? TrimapLabel.Foreground : TrimapLabel.Unknown;
            }
        string imagePath = _cli.WriteImage("photo.png", image);
        string trimapPath = _cli.PathOf("trimap.png");
        File.WriteAllBytes(trimapPath, ImageFiles.EncodeGray(w, h, trimap.Labels.ToArray(), trimapPath));
        return (imagePath, trimapPath, image, trimap);
    }

    [Fact]
    public void WritesTheEnginesMatteAndCutOut()
    {
        var (image, trimap, pixels, labels) = Scene();
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, "--alpha-out", _cli.PathOf("alpha.png"), "-o", _cli.PathOf("cut.png"));
        Assert.True(exit == 0, stderr);
        var expected = RefineMatte.FromTrimap(pixels, labels);
        var (_, _, alpha) = ImageFiles.ReadGray(_cli.PathOf("alpha.png"), "alpha");
        Assert.Equal(expected.Alpha.ToBytes(), alpha);
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        Assert.Equal(expected.Foreground.Data.ToArray(), cut.Data.ToArray());
        // The soft edge is soft: alpha rises monotonically through the unknown band.
        Assert.True(alpha[20 * 60 + 28] > 40 && alpha[20 * 60 + 28] < 215);
    }

    [Fact]
    public void BayesianMethodWritesTheEnginesBayesianMatte()
    {
        var (image, trimap, pixels, labels) = Scene();
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, "--method", "bayesian", "--color-sigma", "0.02", "--alpha-out", _cli.PathOf("alpha.png"));
        Assert.True(exit == 0, stderr);
        var options = new RefineMatteOptions { Method = MattingMethod.Bayesian, Bayesian = new BayesianMattingOptions { ColorSigma = 0.02 } };
        var expected = RefineMatte.FromTrimap(pixels, labels, options);
        var (_, _, alpha) = ImageFiles.ReadGray(_cli.PathOf("alpha.png"), "alpha");
        Assert.Equal(expected.Alpha.ToBytes(), alpha);
        Assert.NotEqual(RefineMatte.FromTrimap(pixels, labels).Alpha.ToBytes(), alpha);
    }

    [Theory]
    [InlineData("random-walk", MattingMethod.RandomWalk)]
    [InlineData("poisson", MattingMethod.Poisson)]
    [InlineData("info-flow", MattingMethod.InformationFlow)]
    public void EachTrimapMethodWritesTheEnginesMatte(string name, MattingMethod method)
    {
        var (image, trimap, pixels, labels) = Scene();
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, "--method", name, "--alpha-out", _cli.PathOf("alpha.png"));
        Assert.True(exit == 0, stderr);
        var expected = RefineMatte.EstimateAlpha(pixels, labels, new RefineMatteOptions { Method = method });
        Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("alpha.png"), "alpha").Values);
        Assert.NotEqual(RefineMatte.FromTrimap(pixels, labels).Alpha.ToBytes(), expected.ToBytes());
    }

    [Theory]
    [InlineData("--method", "knn")]
    [InlineData("--color-sigma", "0")]
    public void BadMattingOptionsAreUsageErrors(string option, string value)
    {
        var (image, trimap, _, _) = Scene();
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, option, value, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(2, exit);
        Assert.Contains(option == "--method" ? "poisson" : "--color-sigma", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Fact]
    public void TrimapWithoutForegroundIsBadInput()
    {
        var (image, _, _, _) = Scene();
        string trimap = _cli.PathOf("bad.png");
        var grey = new byte[60 * 40];
        Array.Fill(grey, (byte)128);
        grey[0] = 0;
        File.WriteAllBytes(trimap, ImageFiles.EncodeGray(60, 40, grey, trimap));
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("no foreground", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Fact]
    public void TrimapOfAnotherSizeIsBadInput()
    {
        var (image, _, _, _) = Scene();
        string trimap = _cli.PathOf("small.png");
        File.WriteAllBytes(trimap, ImageFiles.EncodeGray(10, 10, new byte[100], trimap));
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap, "--alpha-out", _cli.PathOf("alpha.png"));
        Assert.Equal(1, exit);
        Assert.Contains("trimap 'small.png' is 10×10 but the image is 60×40", stderr);
        Assert.False(File.Exists(_cli.PathOf("alpha.png")));
    }

    [Fact]
    public void NoOutputIsAUsageError()
    {
        var (image, trimap, _, _) = Scene();
        var (exit, _, stderr) = _cli.Run("matte", image, "--trimap", trimap);
        Assert.Equal(2, exit);
        Assert.Contains("Nothing to write", stderr);
    }

    [Fact]
    public void CutWithMatteWritesSoftAlphaAndTheHardMask()
    {
        var scene = PdnSegmentation.TestSupport.SyntheticScene.ObjectOnClutter(160, 120, 3);
        string image = _cli.WriteImage("photo.png", scene.Image);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", scene.Box.ToString(), "--matte", "--band", "4", "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        var (_, _, mask) = ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask");
        Assert.All(mask, v => Assert.True(v is 0 or 255));
        int soft = 0, agree = 0, total = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            byte a = cut.Data[4 * i + 3];
            if (a is > 0 and < 255) soft++;
            total++;
            if ((a >= 128) == (mask[i] == 255)) agree++;
        }
        Assert.True(soft > 0, "the matte should have soft pixels along the edge");
        Assert.True(agree > 0.98 * total, $"matte and mask agree on {agree} of {total}");
    }

    [Fact]
    public void CutWithBorderMattingWritesTheEnginesSoftEdge()
    {
        var scene = PdnSegmentation.TestSupport.SyntheticScene.ObjectOnClutter(160, 120, 4);
        string image = _cli.WriteImage("photo.png", scene.Image);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", scene.Box.ToString(), "--border-matting", "--model", "none", "-o", _cli.PathOf("cut.png"));
        Assert.True(exit == 0, stderr);
        var hard = PdnSegmentation.Segmentation.GrabCut.Segment(scene.Image, PdnSegmentation.Segmentation.GrabCutInput.FromRectangle(scene.Box)).Foreground;
        var expected = RefineMatte.FromBorder(scene.Image, hard);
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        Assert.Equal(expected.Foreground.Data.ToArray(), cut.Data.ToArray());
        Assert.Contains(expected.Alpha.Values.ToArray(), a => a is > 0.05f and < 0.95f);
    }

    [Fact]
    public void TwoEdgeRefinementsAtOnceIsAUsageError()
    {
        var scene = PdnSegmentation.TestSupport.SyntheticScene.ObjectOnClutter(60, 40, 5);
        string image = _cli.WriteImage("photo.png", scene.Image);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", scene.Box.ToString(), "--matte", "--border-matting", "-o", _cli.PathOf("cut.png"));
        Assert.Equal(2, exit);
        Assert.Contains("--border-matting", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Fact]
    public void TheScaleBenchmarkMeasuresInformationFlowAndRefusesAnUnknownMethod()
    {
        var (image, trimap, _, _) = Scene();
        var (exit, stdout, stderr) = _cli.Run("bench", "matte-scale", "--image", image, "--trimap", trimap, "--megapixels", "0.01", "--method", "info-flow");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Refine Matte (information flow + foreground colours)", stdout);
        Assert.Matches(@"\| 0\.01 \| \d+×\d+ \| [\d.]+ % \| full size \| – \| – \| [\d.]+ \| \d+ \|", stdout);
        (exit, _, stderr) = _cli.Run("bench", "matte-scale", "--image", image, "--trimap", trimap, "--megapixels", "0.01", "--method", "bayesian");
        Assert.NotEqual(0, exit);
        Assert.Contains("--method 'bayesian': expected closed-form or info-flow", stderr);
    }
}
