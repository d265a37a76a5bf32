using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// The deep matting runtime on the generated ViTMatte-contract model (scripts/make-matting-test-model.py), whose alpha is
/// the red channel / 255 wherever the trimap channel says unknown: every pixel's geometry, the channel order and the
/// trimap channel are checked against that function.
/// </summary>
public sealed class DeepMattingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-matting-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static InstalledModel ContractModel => InstalledModel.Load(Path.Combine(AppContext.BaseDirectory, "MattingModels"));

    /// <summary>Random colours, and a trimap: object disc, unknown ring, background elsewhere.</summary>
    private static (ColorImage Image, Trimap Trimap) Scene(int w, int h, Func<int, int, byte>? red = null, int seed = 1)
    {
        var random = new Random(seed);
        var image = new ColorImage(w, h);
        var grey = new byte[w * h];
        double cx = w * 0.55, cy = h * 0.45, r = Math.Min(w, h) * 0.3;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            image[x, y] = Bgra32.FromRgb(red?.Invoke(x, y) ?? (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
            grey[y * w + x] = d < r * 0.7 ? (byte)255 : d < r ? (byte)128 : (byte)0;
        }
        return (image, Trimap.FromGray(w, h, grey));
    }

    [Theory]
    [InlineData(640, 480)]
    [InlineData(333, 517)] // odd sizes: padding to multiples of 32 on both axes
    [InlineData(1500, 90)]
    public void AtFullResolutionEveryUnknownPixelGetsTheModelsValueAndKnownPixelsTheirLabel(int w, int h)
    {
        var (image, trimap) = Scene(w, h);
        using var matting = DeepMatting.Open(ContractModel, ExecutionDevice.Cpu);
        var alpha = matting.Estimate(image, trimap).Values;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x;
            float expected = trimap[x, y] switch
            {
                TrimapLabel.Foreground => 1,
                TrimapLabel.Background => 0,
                _ => image[x, y].R / 255f,
            };
            Assert.True(Math.Abs(expected - alpha[i]) < 1e-5f, $"({x}, {y}): {alpha[i]} instead of {expected}");
        }
    }

    [Fact]
    public void ALargeUnknownRegionIsMattedSmallerAndBroughtBackInPlace()
    {
        // A smooth red pattern (period 150 px): any shift of the crop, resize or upsampling shows as a large error.
        const int w = 3000, h = 2200;
        byte Red(int x, int y) => (byte)Math.Round(127.5 + 127.5 * Math.Sin(2 * Math.PI * (x + 0.5 * y) / 150));
        var (image, trimap) = Scene(w, h, Red);
        using var matting = DeepMatting.Open(ContractModel, ExecutionDevice.Cpu, new DeepMattingOptions { MaxSide = 1024 });
        var alpha = matting.Estimate(image, trimap).Values;
        double error = 0;
        long unknown = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            if (trimap[x, y] != TrimapLabel.Unknown) continue;
            error += Math.Abs(alpha[y * w + x] - Red(x, y) / 255.0);
            unknown++;
        }
        Assert.True(error / unknown < 0.02, $"mean error {error / unknown:F4} over {unknown} unknown pixels");
    }

    [Fact]
    public void MattingAnythingUsesAnInstalledDeepModelForTheBand()
    {
        var (image, trimap) = Scene(400, 300);
        var mask = new Mask(400, 300);
        for (int i = 0; i < mask.Bits.Length; i++) mask.Bits[i] = trimap.Labels[i] == (byte)TrimapLabel.Foreground ? (byte)1 : (byte)0;
        using var matting = DeepMatting.Open(ContractModel, ExecutionDevice.Cpu);
        var result = MattingAnything.FromMask(image, mask, null, deepMatting: matting);
        // The model's alpha (red / 255) in the band, kept close to the mask as the chain always does.
        var expected = new float[mask.Bits.Length];
        for (int i = 0; i < expected.Length; i++)
            expected[i] = result.Trimap.Labels[i] == (byte)TrimapLabel.Unknown ? image[i % 400, i / 400].R / 255f : mask.Bits[i];
        MatteDeparture.LimitToMask(expected, mask);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], result.Alpha.Values[i], 5);
        Assert.Contains(result.Alpha.Values.ToArray(), a => a is > 0.05f and < 0.95f);
    }

    [Fact]
    public void TheCommandLineInstallsAContractModelAndMattesWithIt()
    {
        string models = Path.Combine(_folder, "models");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(["models", "install", "vitmatte-small", "--models-dir", models, "--from", $"model={Path.Combine(AppContext.BaseDirectory, "MattingModels", "model.onnx")}"], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());

        string lemur = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur");
        string alphaPath = Path.Combine(_folder, "alpha.png");
        exit = CliApp.Run(["matte", Path.Combine(lemur, "lemur.png"), "--trimap", Path.Combine(lemur, "lemur_trimap.png"), "--method", "deep",
            "--models-dir", models, "--alpha-out", alphaPath], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("Matting the edge with vitmatte-small on CPU", stderr.ToString());
        var image = ImageFiles.ReadColor(Path.Combine(lemur, "lemur.png"));
        var (w, h, grey) = ImageFiles.ReadGray(Path.Combine(lemur, "lemur_trimap.png"), "trimap");
        var (_, _, alpha) = ImageFiles.ReadGray(alphaPath, "alpha");
        for (int i = 0; i < grey.Length; i++)
            Assert.Equal(grey[i] is 0 or 255 ? grey[i] : image[i % w, i / w].R, alpha[i]);

        // Without an installed model, --method deep says what to do.
        var error = new StringWriter();
        exit = CliApp.Run(["matte", Path.Combine(lemur, "lemur.png"), "--trimap", Path.Combine(lemur, "lemur_trimap.png"), "--method", "deep",
            "--models-dir", Path.Combine(_folder, "empty"), "--alpha-out", alphaPath], new StringWriter(), error);
        Assert.Equal(1, exit);
        Assert.Contains("No deep matting model is installed", error.ToString());
    }
}
