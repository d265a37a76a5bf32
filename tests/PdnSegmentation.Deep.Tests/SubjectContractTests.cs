using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// The data-described subject runtime on generated models of each contract family (scripts/make-subject-test-models.py):
/// each model's output is y = (c0 + 2·c1) + 4·c2 of its input channels, so the test recomputes the whole preprocessing
/// and output reading itself and compares bit for bit.
/// </summary>
public sealed class SubjectContractTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("pdnseg-subject-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    internal static string Fixture(string family) => Path.Combine(AppContext.BaseDirectory, "SubjectModels", family);

    private static SubjectSelector OpenFixture(string family, bool mirror = false) =>
        SubjectSelector.Open(InstalledModel.Load(Fixture(family)), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, MirrorAveraging = mirror, Refinement = null });

    /// <summary>A colourful, non-square photo whose channels differ everywhere (so channel order and scaling matter).</summary>
    private static ColorImage Photo(int width = 203, int height = 131)
    {
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < width; x++)
            {
                row[4 * x] = (byte)(30 + (x * 200) / width);          // B
                row[4 * x + 1] = (byte)(10 + (y * 230) / height);     // G
                row[4 * x + 2] = (byte)((x * 7 + y * 13) % 240);       // R
                row[4 * x + 3] = 255;
            }
        }
        return image;
    }

    /// <summary>The test's own reading of a contract: the map the model should produce for the photo, and its size.</summary>
    private static (float[] Map, int Width, int Height) Expected(SubjectContract contract, ColorImage photo)
    {
        var input = contract.Input;
        int fw, fh, cw, ch;
        if (input.Side is { } side) (fw, fh) = (side, side);
        else
        {
            int n = input.MultipleOf!.Value, max = input.MaxSide!.Value;
            double s = (double)max / Math.Max(photo.Width, photo.Height);
            Assert.Equal(SubjectResize.Pad, input.Resize); // the only dynamic fixture pads
            fw = Math.Clamp((int)Math.Ceiling(photo.Width * s / n - 1e-9) * n, n, max);
            fh = Math.Clamp((int)Math.Ceiling(photo.Height * s / n - 1e-9) * n, n, max);
        }
        if (input.Resize == SubjectResize.Stretch) (cw, ch) = (fw, fh);
        else
        {
            double s = Math.Min((double)fw / photo.Width, (double)fh / photo.Height);
            (cw, ch) = ((int)Math.Round(photo.Width * s), (int)Math.Round(photo.Height * s));
        }
        var resized = PixelMaps.Resize(photo, cw, ch);
        float scale = 1f / 255f;
        if (input.Scale == PixelScale.DivideMax)
        {
            int max = 1;
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++)
                    for (int c = 0; c < 3; c++) max = Math.Max(max, resized.Row(y)[4 * x + c]);
            scale = 1f / max;
        }
        var map = new float[cw * ch];
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
            {
                var v = new float[3];
                for (int c = 0; c < 3; c++)
                {
                    byte b = resized.Row(y)[4 * x + (input.Channels == ChannelOrder.Rgb ? 2 - c : c)];
                    v[c] = (b * scale - input.Mean[c]) / input.Std[c];
                }
                float t = v[0] + v[1] * 2f;
                t = t + v[2] * 4f;
                if (contract.Output.Kind == SubjectOutputKind.Logits) t = 1 / (1 + MathF.Exp(-t));
                map[y * cw + x] = t;
            }
        if (contract.Output.MinMaxNormalise)
        {
            float min = map.Min(), range = map.Max() - min;
            for (int i = 0; i < map.Length; i++) map[i] = (map[i] - min) / range;
        }
        return (map, cw, ch);
    }

    [Theory]
    [InlineData("nchw320")]        // U²-Net: NCHW 320, ÷max, ImageNet mean/std, named output among two, min-max
    [InlineData("nchw1024")]       // IS-Net: NCHW 1024, ÷255, mean 0.5 std 1, first input/output, min-max
    [InlineData("nhwc256")]        // MediaPipe: NHWC 256, ÷255
    [InlineData("logits-dynamic")] // any multiple of 32 up to 256, padded, BGR, logits
    public void EachContractFamilyIsPreparedAndReadExactly(string family)
    {
        var photo = Photo();
        var contract = InstalledModel.Load(Fixture(family)).Subject!;
        using var selector = OpenFixture(family);
        var (map, width, height) = selector.ModelMap(photo);
        var (expected, ew, eh) = Expected(contract, photo);
        Assert.Equal((ew, eh), (width, height));
        Assert.Equal(expected, map);
        var (probability, pixelSize) = selector.Probability(photo);
        Assert.Equal((photo.Width, photo.Height), (probability.Width, probability.Height));
        Assert.Equal((double)photo.Width / Math.Max(width, height), pixelSize, 9);
    }

    [Fact]
    public void ThePaddedFrameKeepsTheAspectAndCropsThePaddingAway()
    {
        using var selector = OpenFixture("logits-dynamic");
        var (_, width, height) = selector.ModelMap(Photo(203, 131));
        Assert.Equal((256, 165), (width, height)); // 203×131 at 256 along the longer side, inside a 256×192 frame
        var (_, tallWidth, tallHeight) = selector.ModelMap(Photo(90, 300));
        Assert.Equal((77, 256), (tallWidth, tallHeight));
    }

    [Theory]
    [InlineData("nchw320")]
    [InlineData("nhwc256")]
    [InlineData("logits-dynamic")]
    public void MirrorAveragingMirrorsTheOutputBackOntoThePhoto(string family)
    {
        // The fixtures are per-pixel functions: the mirrored run mirrored back is the plain run, so the average equals it
        // exactly — any misalignment of the mirror (or of the padding) breaks the equality.
        var photo = Photo();
        using var single = OpenFixture(family);
        using var mirrored = OpenFixture(family, mirror: true);
        Assert.Equal(single.ModelMap(photo).Map, mirrored.ModelMap(photo).Map);
    }

    /// <summary>
    /// The shifted-mirror fixture is not mirror-symmetric (y(x) = red(x − 1), 0 in the first column), so its contract's
    /// "mirror": true is visible in the map: ½·(red(x − 1) + red(x + 1)), each missing neighbour 0.
    /// </summary>
    private static (float[] OneRun, float[] Averaged) ShiftedMirrorExpected(ColorImage photo)
    {
        const int side = 64;
        var resized = PixelMaps.Resize(photo, side, side);
        float Red(int x, int y) => x is < 0 or >= side ? 0f : resized.Row(y)[4 * x + 2] * (1f / 255f);
        var oneRun = new float[side * side];
        var averaged = new float[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                oneRun[y * side + x] = Red(x - 1, y);
                averaged[y * side + x] = 0.5f * (Red(x - 1, y) + Red(x + 1, y));
            }
        return (oneRun, averaged);
    }

    [Fact]
    public void TheContractsMirrorSettingDecidesWhetherTheModelRunsMirrored()
    {
        var photo = Photo();
        var (oneRun, averaged) = ShiftedMirrorExpected(photo);
        var model = InstalledModel.Load(Fixture("shifted-mirror"));
        Assert.True(model.Subject!.Mirror);
        using (var byContract = SubjectSelector.Open(model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null }))
        {
            Assert.True(byContract.Mirrors);
            Assert.Equal(averaged, byContract.ModelMap(photo).Map);
        }
        using (var overridden = OpenFixture("shifted-mirror", mirror: false))
        {
            Assert.False(overridden.Mirrors);
            Assert.Equal(oneRun, overridden.ModelMap(photo).Map);
        }

        // The same model described without "mirror" (as reference pipelines run) and with "mirror": false runs once.
        foreach (string replacement in new[] { "", "\"mirror\": false" })
        {
            string folder = Path.Combine(_temp, "no-mirror-" + replacement.Length);
            Directory.CreateDirectory(folder);
            File.Copy(Path.Combine(Fixture("shifted-mirror"), "model.onnx"), Path.Combine(folder, "model.onnx"));
            string json = File.ReadAllText(Path.Combine(Fixture("shifted-mirror"), "model.json"));
            Assert.Contains(",\n    \"mirror\": true", json);
            File.WriteAllText(Path.Combine(folder, "model.json"),
                json.Replace(",\n    \"mirror\": true", replacement.Length == 0 ? "" : ",\n    " + replacement));
            var described = InstalledModel.Load(folder);
            Assert.False(described.Subject!.Mirror);
            using var selector = SubjectSelector.Open(described, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
            Assert.False(selector.Mirrors);
            Assert.Equal(oneRun, selector.ModelMap(photo).Map);
        }
    }

    [Theory]
    [InlineData("u2netp")]
    [InlineData("mediapipe-selfie-segmentation")]
    public void TheBundledDescriptorsReproduceTheEarlierHardCodedContractsBitForBit(string name)
    {
        // The reference is the hard-coded preprocessing the runtime had before models were described by data.
        var store = new ModelStore(Path.Combine(SharedData.RepositoryRoot(), "models"), _temp);
        var model = store.Subject(name);
        var image = ImageFiles.ReadColor(Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png"));
        using var selector = SubjectSelector.Open(model, new SelectSubjectOptions { Device = ExecutionDevice.Cpu, MirrorAveraging = false, Refinement = null });
        var (modelMap, mapWidth, mapHeight) = selector.ModelMap(image);

        bool u2netp = name == "u2netp";
        int side = u2netp ? 320 : 256;
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var resized = PixelMaps.Resize(image, side, side);
        var tensor = u2netp ? new DenseTensor<float>([1, 3, side, side]) : new DenseTensor<float>([1, side, side, 3]);
        float scale = 1f / 255f;
        if (u2netp)
        {
            int max = 1;
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    max = Math.Max(max, Math.Max(resized.Row(y)[4 * x], Math.Max(resized.Row(y)[4 * x + 1], resized.Row(y)[4 * x + 2])));
            scale = 1f / max;
        }
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                for (int c = 0; c < 3; c++)
                {
                    float v = resized.Row(y)[4 * x + 2 - c] * scale;
                    if (u2netp) v = (v - mean[c]) / std[c];
                    tensor.Buffer.Span[u2netp ? (c * side + y) * side + x : (y * side + x) * 3 + c] = v;
                }
        using var session = new InferenceSession(model.FileFor("model").Path);
        string inputName = u2netp ? "input.1" : "input_1:0", outputName = u2netp ? "1959" : "activation_10";
        float[] map;
        using (var outputs = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)], [outputName]))
            map = outputs[0].AsEnumerable<float>().ToArray();
        if (u2netp)
        {
            float min = map.Min(), range = map.Max() - min;
            for (int i = 0; i < map.Length; i++) map[i] = (map[i] - min) / range;
        }
        // The map at the model's resolution, before it is brought to the photo's size (which has its own tests).
        Assert.Equal((side, side), (mapWidth, mapHeight));
        Assert.Equal(map, modelMap);
    }

    [Fact]
    public void AModelWhoseTensorsDoNotMatchItsContractIsRefusedByName()
    {
        // The MediaPipe-like NHWC model described with IS-Net's NCHW 1024 contract.
        string folder = Path.Combine(_temp, "wrong");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Fixture("nhwc256"), "model.onnx"), Path.Combine(folder, "model.onnx"));
        var descriptor = File.ReadAllText(Path.Combine(Fixture("nhwc256"), "model.json"));
        var isnet = File.ReadAllText(Path.Combine(Fixture("nchw1024"), "model.json"));
        const string section = "\"subject\": {";
        string contract = isnet[isnet.IndexOf(section, StringComparison.Ordinal)..];
        File.WriteAllText(Path.Combine(folder, "model.json"), descriptor[..descriptor.IndexOf(section, StringComparison.Ordinal)] + contract);
        var error = Assert.Throws<ModelException>(() => SubjectSelector.Open(InstalledModel.Load(folder), new SelectSubjectOptions { Device = ExecutionDevice.Cpu }));
        Assert.Contains("does not match its contract", error.Message);
        Assert.Contains("has 256 channels where the Nchw layout needs 3", error.Message);

        // A contract naming an output the model lacks.
        File.WriteAllText(Path.Combine(folder, "model.json"), descriptor.Replace("\"name\": \"activation_10\"", "\"name\": \"mask\"", StringComparison.Ordinal));
        var missing = Assert.Throws<ModelException>(() => SubjectSelector.Open(InstalledModel.Load(folder), new SelectSubjectOptions { Device = ExecutionDevice.Cpu }));
        Assert.Contains("no output named 'mask' (the model has: activation_10)", missing.Message);
    }

    [Fact]
    public void TheInstallerChecksAFileAgainstTheCataloguesContractBeforeInstallingAnything()
    {
        string users = Path.Combine(_temp, "user-models");
        var stderr = new StringWriter();
        int exit = CliApp.Run(["models", "install", "isnet-general-use", "--models-dir", users, "--from", $"model={Path.Combine(Fixture("nhwc256"), "model.onnx")}"],
            new StringWriter(), stderr);
        Assert.Equal(1, exit);
        Assert.Contains("does not match the subject contract of 'isnet-general-use'", stderr.ToString());
        Assert.Contains("Nothing was installed", stderr.ToString());
        Assert.False(Directory.Exists(Path.Combine(users, "isnet-general-use")));
    }

    [Fact]
    public void AnIsNetContractModelInstalledFromAFileRunsThroughPdnsegSubjectWithTheRefinement()
    {
        string users = Path.Combine(_temp, "user-models");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(CliApp.Run(["models", "install", "isnet-general-use", "--models-dir", users, "--from", $"model={Path.Combine(Fixture("nchw1024"), "model.onnx")}"],
            stdout, stderr) == 0, stderr.ToString());
        var list = new StringWriter();
        CliApp.Run(["models", "list", "--models-dir", users], list, new StringWriter());
        Assert.Matches(@"isnet-general-use\s+subject\s+installed", list.ToString());

        string photo = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");
        string maskPath = Path.Combine(_temp, "mask.png");
        stdout = new StringWriter();
        stderr = new StringWriter();
        Assert.True(CliApp.Run(["subject", photo, "--model", "isnet-general-use", "--models-dir", users, "--device", "cpu", "--mask-out", maskPath], stdout, stderr) == 0,
            stderr.ToString());
        Assert.Contains("model isnet-general-use + graph-cut refinement", stdout.ToString());

        // The same as the engine's default result with that model.
        var store = ModelStore.Beside(AppContext.BaseDirectory) with { UserFolder = users };
        using var selector = SubjectSelector.Open(store.Subject("isnet-general-use"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var image = ImageFiles.ReadColor(photo);
        var expected = selector.Select(image).Mask;
        Assert.False(expected.IsEmpty);
        var (_, _, written) = ImageFiles.ReadGray(maskPath, "mask");
        Assert.Equal(expected.ToBytes(), written);
    }

    [Fact]
    public void TheCataloguesMirroringIsTheMeasuredChoiceAndReachesTheBundledAndInstalledDescriptors()
    {
        // Measured on both public sets (docs/models.md, "Test-time mirroring"): u2netp gains on both; the selfie model
        // gains on one and loses on the other; IS-Net swings by up to 0.3 IoU either way per photo for +0.003–0.006 on
        // average at twice the time. Models without weights here run as their reference pipelines do (no mirroring).
        string repository = Path.Combine(SharedData.RepositoryRoot(), "models");
        var catalogue = ModelCatalog.Load(repository).Where(e => e.Subject is not null).ToDictionary(e => e.Name, e => e.Subject!.Mirror);
        Assert.Equal(new Dictionary<string, bool>
        {
            ["u2netp"] = true, ["mediapipe-selfie-segmentation"] = false, ["u2net"] = false, ["isnet-general-use"] = false, ["birefnet-general"] = false,
        }, catalogue);
        var store = new ModelStore(repository, _temp);
        foreach (string bundled in new[] { "u2netp", "mediapipe-selfie-segmentation" })
            Assert.Equal(catalogue[bundled], store.Subject(bundled).Subject!.Mirror);

        // An install writes the catalogue's choice into the model's own model.json, where the runtime reads it.
        string users = Path.Combine(_temp, "installed");
        Assert.True(CliApp.Run(["models", "install", "u2net", "--models-dir", users, "--from", $"model={Path.Combine(Fixture("nchw320"), "model.onnx")}"],
            new StringWriter(), new StringWriter()) == 0);
        Assert.Contains("\"mirror\": false", File.ReadAllText(Path.Combine(users, "u2net", "model.json")));
        using var selector = SubjectSelector.Open((store with { UserFolder = users }).Subject("u2net"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        Assert.False(selector.Mirrors);
    }
}
