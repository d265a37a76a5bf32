using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

public class SelectSubjectTests
{
    private static string Models => Path.Combine(SharedData.RepositoryRoot(), "models");
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
    [InlineData(SubjectModelKind.U2Netp, 0.97)]
    [InlineData(SubjectModelKind.Selfie, 0.95)]
    public void TheBundledModelsFindTheLemur(SubjectModelKind kind, double minimum)
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var selector = SubjectSelector.Open(Models, kind, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
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
        using var selector = SubjectSelector.Open(Models, SubjectModelKind.U2Netp, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
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
    public void AwayFromTheEdgeMattingAnythingKeepsTheModelsConfidenceAndSnapsWhereItIsSure()
    {
        // A model sure of the object and the background except in three patches far from the object's edge:
        // unsure background (0.4), almost-sure background (0.03) and almost-sure object (0.97).
        const int w = 240, h = 160;
        var scene = SyntheticScene.ObjectOnClutter(w, h, seed: 5);
        var probability = new AlphaMatte(w, h);
        var mask = new Mask(w, h);
        int inside = DeepestObjectPixel(scene.Truth);
        for (int i = 0; i < w * h; i++)
        {
            int x = i % w, y = i / w;
            float p = scene.Truth.Bits[i] != 0 ? 1 : 0;
            if (x < 6 && y < 6) p = 0.4f;
            if (x >= w - 6 && y < 6) p = 0.03f;
            if (i == inside) p = 0.97f;
            probability.Values[i] = p;
            mask.Bits[i] = p >= 0.5f ? (byte)1 : (byte)0;
        }
        var matte = MattingAnything.FromSubject(scene.Image, new SubjectResult(probability, mask, new DeviceReport("CPU", null)));
        var alpha = matte.Alpha.Values;
        Assert.Equal(0.4f, alpha[3 * w + 3]);       // unsure: the model's probability, not a hard 0
        Assert.Equal(0f, alpha[3 * w + w - 3]);     // 0.03: confidently background
        Assert.Equal(1f, alpha[inside]);            // 0.97: confidently object
        // Everywhere outside the unknown band the alpha is the snapped probability; inside it, the matte.
        for (int i = 0; i < w * h; i++)
        {
            if (matte.Trimap.Labels[i] == (byte)TrimapLabel.Unknown) continue;
            float p = probability.Values[i];
            Assert.Equal(p < 0.05f ? 0 : p > 0.95f ? 1 : p, alpha[i]);
        }
        Assert.Contains(alpha.ToArray(), a => a is > 0.05f and < 0.95f and not 0.4f); // the band was matted softly
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
    public void AWarmUpLeavesTheSelectionUnchanged()
    {
        var image = ImageFiles.ReadColor(Path.Combine(Lemur, "lemur.png"));
        using var warmed = SubjectSelector.Open(Models, SubjectModelKind.Selfie, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        using var cold = SubjectSelector.Open(Models, SubjectModelKind.Selfie, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        Assert.False(warmed.NeedsWarmUp); // the CPU has nothing to compile
        warmed.WarmUp();
        Assert.Equal(cold.Select(image).Probability.Values.ToArray(), warmed.Select(image).Probability.Values.ToArray());
    }

    [Fact]
    public void ADirectMLRequestWhereThereIsNoDirectMLFallsBackToTheCpuWithTheReason()
    {
        if (OperatingSystem.IsWindows()) return; // the Windows build may have a GPU; this checks the fallback path
        using var selector = SubjectSelector.Open(Models, SubjectModelKind.Selfie, new SelectSubjectOptions { Device = ExecutionDevice.DirectML });
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
            Directory.CreateDirectory(Path.Combine(folder, "mediapipe-selfie-segmentation"));
            string file = Path.Combine(folder, "mediapipe-selfie-segmentation", "selfie_segmentation.onnx");
            var missing = Assert.Throws<ModelException>(() => SubjectSelector.Open(folder, SubjectModelKind.Selfie));
            Assert.Contains("is missing", missing.Message);
            Assert.Contains("selfie_segmentation.onnx", missing.Message);

            var bytes = File.ReadAllBytes(Path.Combine(Models, "mediapipe-selfie-segmentation", "selfie_segmentation.onnx"));
            File.WriteAllBytes(file, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            Assert.Contains("truncated", Assert.Throws<ModelException>(() => SubjectSelector.Open(folder, SubjectModelKind.Selfie)).Message);

            var corrupt = (byte[])bytes.Clone();
            corrupt[corrupt.Length / 2] ^= 0xFF;
            File.WriteAllBytes(file, corrupt);
            var error = Assert.Throws<ModelException>(() => SubjectSelector.Open(folder, SubjectModelKind.Selfie));
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
        using var selector = SubjectSelector.Open(Models, SubjectModelKind.Selfie, new SelectSubjectOptions { Device = ExecutionDevice.Cpu });
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => selector.Select(image, cancel.Token));
    }
}
