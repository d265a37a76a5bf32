using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.TestSupport;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Deep.Tests;

public class SelectSubjectTests
{
    private static string Models => Path.Combine(SharedData.RepositoryRoot(), "models");

    /// <summary>A bundled subject model by its folder name (u2netp, mediapipe-selfie-segmentation).</summary>
    private static InstalledModel Bundled(string name, string? folder = null) => InstalledModel.Load(Path.Combine(folder ?? Models, name));

    private const string Selfie = "mediapipe-selfie-segmentation";
    private static string Lemur => Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur");

    /// <summary>Agreement of a mask with the lemur trimap's definite pixels (white = object, black = background).</summary>
    internal static double AgreementWithTrimap(Mask mask)
    {
        var (w, h, trimap) = ImageFiles.ReadGray(Path.Combine(Lemur, "lemur_trimap.png"), "trimap");
        Assert.Equal((w, h), (mask.Width, mask.Height));
        long counted = 0, agree = 0;
        for (int i = 0; i < trimap.Length; i++)
        {
            if (trimap[i] is not (0 or 255)) continue;
            counted++;
            if ((trimap[i] == 255) == (mask.Bits[i] != 0)) agree++;
        }
        return (double)agree / counted;
    }

    [Theory]
    [InlineData("u2netp", 0.97)]
    [InlineData(Selfie, 0.95)]
    public void TheBundledModelsFindTheLemur(string kind, double minimum)
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var selector = SubjectSelector.Open(Bundled(kind), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var subject = selector.Select(image);
        Assert.Equal((image.Width, image.Height), (subject.Mask.Width, subject.Mask.Height));
        double agreement = AgreementWithTrimap(subject.Mask);
        Assert.True(agreement > minimum, $"{kind}: {agreement:P2} of the trimap's definite pixels agree");
        Assert.Equal("CPU", subject.Device.Device);
        Assert.All(subject.Probability.Values.ToArray(), p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void MattingAnythingGivesSoftEdgesThatAgreeWithTheMask()
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var selector = SubjectSelector.Open(Bundled("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        var subject = selector.Select(image);
        var matte = MattingAnything.FromSubject(image, subject);
        var alpha = matte.Alpha.Values.ToArray();
        int soft = alpha.Count(a => a is > 0.05f and < 0.95f);
        Assert.True(soft > 2000, $"only {soft} soft pixels");
        var hard = new Mask(image.Width, image.Height);
        for (int i = 0; i < alpha.Length; i++) hard.Bits[i] = alpha[i] >= 0.5f ? (byte)1 : (byte)0;
        Assert.True(AgreementWithTrimap(hard) > 0.97);
    }

    [Fact]
    public void MattingAnythingStaysWithTheMaskAwayFromItsEdgeAndCloseToItNearIt()
    {
        // A wrong model: it takes a whole block of clutter beside the object for object. Its probability is unsure (0.6)
        // in one patch, so the band widens there.
        const int w = 240, h = 160;
        var scene = SyntheticScene.ObjectOnClutter(w, h, seed: 5);
        var probability = new AlphaMatte(w, h);
        var mask = new Mask(w, h);
        for (int i = 0; i < w * h; i++)
        {
            int x = i % w, y = i / w;
            float p = scene.Truth.Bits[i] != 0 || (x > 200 && y > 100) ? 1 : 0;
            if (x < 40 && y < 40) p = 0.6f;
            probability.Values[i] = p;
            mask.Bits[i] = p >= 0.5f ? (byte)1 : (byte)0;
        }
        var band = new TrimapBandOptions { BandWidth = 8 };
        var matte = MattingAnything.FromSubject(scene.Image, new SubjectResult(probability, mask, new DeviceReport("CPU", null)), band);
        var alpha = matte.Alpha.Values;
        var inside = PixelMaps.DistanceToTargets(mask.Bits.ToArray().Select(b => (byte)(1 - b)).ToArray(), w, h);
        var outside = PixelMaps.DistanceToTargets(mask.Bits.ToArray(), w, h);
        var uncertainty = MattingAnything.Uncertainty(probability.Values);
        for (int i = 0; i < w * h; i++)
        {
            // Away from the band the mask stands; within it the matte departs from the mask at most linearly over half the band.
            if (matte.Trimap.Labels[i] != (byte)TrimapLabel.Unknown) Assert.Equal(mask.Bits[i], alpha[i]);
            double radius = 4 * (1 + 2 * uncertainty[i]);
            if (mask.Bits[i] != 0) Assert.True(alpha[i] >= Math.Clamp((inside[i] - 0.5) / radius, 0, 1) - 1e-6, $"pixel {i}");
            else Assert.True(alpha[i] <= Math.Clamp(1 - (outside[i] - 0.5) / radius, 0, 1) + 1e-6, $"pixel {i}");
        }
        Assert.Contains(alpha.ToArray(), a => a is > 0.05f and < 0.95f); // the band was matted softly
    }

    [Fact]
    public void AHoleSmallerThanTheBandStaysOpenInTheMatte()
    {
        // A ring: the hole (radius 6) is narrower than the unknown band (8 px on each side), which would swallow it and let
        // the matte fill it from the ring. Its core stays definite background.
        const int w = 120, h = 120;
        var image = new ColorImage(w, h);
        var mask = new Mask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double r = Math.Sqrt((x - 60) * (x - 60) + (y - 60) * (y - 60));
                bool ring = r is >= 6 and < 40;
                mask[x, y] = ring;
                var row = image.Row(y);
                row[4 * x] = row[4 * x + 1] = (byte)(ring ? 200 : 40);
                row[4 * x + 2] = (byte)(ring ? 60 : 180);
                row[4 * x + 3] = 255;
            }
        var matte = MattingAnything.FromMask(image, mask, null);
        Assert.Equal(TrimapLabel.Background, matte.Trimap[60, 60]);
        Assert.True(matte.Alpha[60, 60] < 0.05f, $"the hole's centre has alpha {matte.Alpha[60, 60]}");
        Assert.True(matte.Alpha[60, 30] > 0.95f);
    }

    private static int DeepestObjectPixel(Mask truth)
    {
        var outside = truth.Bits.ToArray().Select(b => b == 0 ? (byte)1 : (byte)0).ToArray();
        var distance = PixelMaps.DistanceToTargets(outside, truth.Width, truth.Height);
        int best = 0;
        for (int i = 1; i < distance.Length; i++) if (distance[i] > distance[best]) best = i;
        Assert.True(distance[best] > 20, "the synthetic object is too thin for this test");
        return best;
    }

    [Fact]
    public void ThePlainAnswerIsOneRunAndItsAugmentationTheMirrorAveragedAnswerToTheBit()
    {
        // Smart Cut asks u2netp for one run and adds the mirrored run only where the answer hesitates: the two answers
        // must be exactly those of a selector that never mirrors and of the default one that always does.
        var image = PixelMaps.Resize(ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png")), 400, 259);
        using var always = SubjectSelector.Open(Bundled("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null, ReleaseWorkingMemory = true });
        using var never = SubjectSelector.Open(Bundled("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null, MirrorAveraging = false });
        Assert.True(always.Mirrors);
        var answer = ((IAugmentableObjectModel)always).PlainProbability(image, default);
        Assert.Equal(((IObjectModel)never).Probability(image, default), answer.Plain);
        var augmented = answer.Augmented(default);
        Assert.Equal(((IObjectModel)always).Probability(image, default), augmented);
        Assert.NotEqual(answer.Plain, augmented); // the mirrored run changed something
        // A model that does not mirror has no augmentation: its plain answer is all there is.
        var single = ((IAugmentableObjectModel)never).PlainProbability(image, default);
        Assert.Same(single.Plain, single.Augmented(default));
    }

    [Fact]
    public void AWarmUpLeavesTheSelectionUnchanged()
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var warmed = SubjectSelector.Open(Bundled(Selfie), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        using var cold = SubjectSelector.Open(Bundled(Selfie), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        Assert.False(warmed.NeedsWarmUp); // the CPU has nothing to compile
        warmed.WarmUp();
        Assert.Equal(cold.Select(image).Probability.Values.ToArray(), warmed.Select(image).Probability.Values.ToArray());
    }

    [Fact]
    public void ADirectMLRequestWhereThereIsNoDirectMLFallsBackToTheCpuWithTheReason()
    {
        if (OperatingSystem.IsWindows()) return; // the Windows build may have a GPU; this checks the fallback path
        using var selector = SubjectSelector.Open(Bundled(Selfie), new SelectSubjectOptions { Device = ExecutionDevice.DirectML });
        Assert.Equal("CPU", selector.Device.Device);
        Assert.Contains("DirectML could not start", selector.Device.FallbackReason);
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        Assert.False(selector.Select(image).Mask.IsEmpty);
    }

    [Fact]
    public void MissingTruncatedAndCorruptModelsAreNamed()
    {
        string folder = Directory.CreateTempSubdirectory("pdnseg-models-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, Selfie));
            File.Copy(Path.Combine(Models, Selfie, "model.json"), Path.Combine(folder, Selfie, "model.json"));
            string file = Path.Combine(folder, Selfie, "selfie_segmentation.onnx");
            var missing = Assert.Throws<ModelException>(() => SubjectSelector.Open(Bundled(Selfie, folder)));
            Assert.Contains("is missing", missing.Message);
            Assert.Contains("selfie_segmentation.onnx", missing.Message);

            var bytes = File.ReadAllBytes(Path.Combine(Models, "mediapipe-selfie-segmentation", "selfie_segmentation.onnx"));
            File.WriteAllBytes(file, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            Assert.Contains("truncated", Assert.Throws<ModelException>(() => SubjectSelector.Open(Bundled(Selfie, folder))).Message);

            var corrupt = (byte[])bytes.Clone();
            corrupt[corrupt.Length / 2] ^= 0xFF;
            File.WriteAllBytes(file, corrupt);
            var error = Assert.Throws<ModelException>(() => SubjectSelector.Open(Bundled(Selfie, folder)));
            Assert.Contains("corrupt", error.Message);
            Assert.Contains("selfie_segmentation.onnx", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void CancellationStopsSelection()
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var selector = SubjectSelector.Open(Bundled(Selfie), new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => selector.Select(image, cancel.Token));
    }
}
