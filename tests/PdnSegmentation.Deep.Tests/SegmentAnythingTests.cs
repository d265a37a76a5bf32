using System.Security.Cryptography;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// The Segment Anything runtime on generated models with the SAM export's tensor contract (scripts/make-sam-test-models.py):
/// the decoder computes a known function of the prompt in the 1024 frame, so coordinate mapping, padding, the crop and
/// both upscalings are checked against that function end to end.
/// </summary>
public class SegmentAnythingTests
{
    private static ModelFile Fixture(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "SamModels", name);
        return new ModelFile(path, new FileInfo(path).Length, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
    }

    private static SegmentAnything Open() => SegmentAnything.Open(Fixture("encoder.onnx"), Fixture("decoder.onnx"), ExecutionDevice.Cpu);

    private static ColorImage Noise(int w, int h, int seed)
    {
        var image = new ColorImage(w, h);
        new Random(seed).NextBytes(image.Data);
        return image;
    }

    /// <summary>The generated decoder's function, in float as the graph computes it.</summary>
    private static float[] ExpectedLogits(int variant, IReadOnlyList<(float X, float Y, float Label)> points, float[]? previous)
    {
        float r2 = (32f * (variant + 1)) * (32f * (variant + 1));
        float x1 = -1e9f, y1 = -1e9f, x2 = -1e9f, y2 = -1e9f;
        foreach (var (x, y, l) in points)
        {
            if (l == 2) { x1 = Math.Max(x1, x); y1 = Math.Max(y1, y); }
            if (l == 3) { x2 = Math.Max(x2, x); y2 = Math.Max(y2, y); }
        }
        var logits = new float[256 * 256];
        for (int i = 0; i < 256; i++)
            for (int j = 0; j < 256; j++)
            {
                float cx = j * 4f + 2f, cy = i * 4f + 2f;
                float pos = -1e9f, neg = -1e9f;
                foreach (var (x, y, l) in points)
                {
                    float dx = cx - x, dy = cy - y;
                    float score = r2 - (dx * dx + dy * dy);
                    if (l == 1) pos = Math.Max(pos, score);
                    if (l == 0) neg = Math.Max(neg, score);
                }
                float box = Math.Min(Math.Min(cx - x1, x2 - cx), Math.Min(cy - y1, y2 - cy)) * 64f;
                float feedback = previous is null ? -1e9f : previous[i * 256 + j] * 1000f;
                logits[i * 256 + j] = Math.Max(Math.Max(pos, box), feedback) - Math.Max(neg, 0f) * 4f;
            }
        return logits;
    }

    /// <summary>The prompt as the decoder receives it: image pixels scaled into SAM's resized frame.</summary>
    private static List<(float X, float Y, float Label)> Mapped(int w, int h, SamPrompt prompt)
    {
        var (rw, rh) = SegmentAnything.ResizedSize(w, h);
        double sx = (double)rw / w, sy = (double)rh / h;
        var list = prompt.Points.Select(p => ((float)(p.X * sx), (float)(p.Y * sy), p.Foreground ? 1f : 0f)).ToList();
        if (prompt.Box is { } b)
        {
            list.Add(((float)(b.X * sx), (float)(b.Y * sy), 2f));
            list.Add(((float)((b.X + b.Width - 1) * sx), (float)((b.Y + b.Height - 1) * sy), 3f));
        }
        return list;
    }

    /// <summary>
    /// Every full-resolution pixel whose low-resolution cell and its 8 neighbours agree in sign must have that sign in
    /// the mask: exact away from the boundary, wherever the prompt is mapped, padded or cropped wrongly it fails.
    /// </summary>
    private static void AssertMaskFollowsLogits(Mask mask, float[] logits, int w, int h)
    {
        var (rw, rh) = SegmentAnything.ResizedSize(w, h);
        int checkedPixels = 0, positive = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // Pixel centre → resized frame → 256 grid.
                double fx = (x + 0.5) * rw / w / 4 - 0.5, fy = (y + 0.5) * rh / h / 4 - 0.5;
                int cj = (int)Math.Round(fx), ci = (int)Math.Round(fy);
                bool? sign = null, mixed = false;
                for (int di = -1; di <= 1 && mixed == false; di++)
                    for (int dj = -1; dj <= 1; dj++)
                    {
                        int i = Math.Clamp(ci + di, 0, 255), j = Math.Clamp(cj + dj, 0, 255);
                        bool s = logits[i * 256 + j] > 0;
                        if (sign is null) sign = s;
                        else if (sign != s) { mixed = true; break; }
                    }
                if (mixed == true) continue;
                checkedPixels++;
                Assert.True(mask[x, y] == sign, $"pixel ({x}, {y}) of {w}×{h}: mask {mask[x, y]}, logits say {sign}");
                if (sign == true) positive++;
            }
        Assert.True(checkedPixels > 0.9 * w * h, $"only {checkedPixels} of {w * h} pixels away from the boundary");
        Assert.True(positive > 0, "the object is empty");
    }

    public static TheoryData<int, int> Sizes => new() { { 640, 480 }, { 480, 640 }, { 1024, 1024 }, { 300, 1200 }, { 2600, 1700 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BoxPointsAndNegativePointsGiveTheExpectedMasks(int w, int h)
    {
        using var sam = Open();
        var image = Noise(w, h, w + h);
        var prompts = new[]
        {
            SamPrompt.FromBox(new PixelRect(w / 5, h / 4, w / 2, h / 3)),
            SamPrompt.FromPoints((w * 0.6, h * 0.55, true)),
            SamPrompt.FromPoints((w * 0.3, h * 0.3, true), (w * 0.34, h * 0.33, false), (w * 0.7, h * 0.8, true)),
            new SamPrompt(new PixelRect(w / 3, h / 3, w / 3, h / 3), [(w / 2.0, h / 2.0, false)]),
        };
        foreach (var prompt in prompts)
        {
            var result = sam.Segment(image, prompt);
            var expected = ExpectedLogits(result.Variant, Mapped(w, h, prompt), null);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - result.LowResLogits[i]) <= 1e-3f * (1 + Math.Abs(expected[i])), $"logit {i}: {result.LowResLogits[i]} vs {expected[i]}");
            AssertMaskFollowsLogits(result.Mask, expected, w, h);
        }
        Assert.Equal(1, sam.EncoderRuns); // four prompts, one image: one encoder run
    }

    [Fact]
    public void OneClickTakesTheBestMultimaskOutputOtherPromptsTheFirst()
    {
        using var sam = Open();
        var image = Noise(400, 300, 1);
        Assert.Equal(2, sam.Segment(image, SamPrompt.FromPoints((200, 150, true))).Variant); // predicted IoU 0.95
        Assert.Equal(0, sam.Segment(image, SamPrompt.FromBox(new PixelRect(50, 50, 100, 80))).Variant);
        Assert.Equal(0, sam.Segment(image, SamPrompt.FromPoints((200, 150, true), (100, 100, false))).Variant);
        var other = Noise(400, 300, 2);
        sam.Segment(other, SamPrompt.FromPoints((10, 10, true)));
        Assert.Equal(2, sam.EncoderRuns);
    }

    [Fact]
    public void AWarmUpRunsTheEncoderWithoutTouchingTheImageCacheOrTheResult()
    {
        using var sam = Open();
        Assert.False(sam.NeedsWarmUp); // the CPU has nothing to compile
        sam.WarmUp();
        Assert.Equal(0, sam.EncoderRuns);
        var image = Noise(640, 480, 4);
        var prompt = SamPrompt.FromPoints((320, 240, true));
        using var fresh = Open();
        Assert.Equal(fresh.Segment(image, prompt).LowResLogits, sam.Segment(image, prompt).LowResLogits);
        Assert.Equal(1, sam.EncoderRuns);
    }

    [Fact]
    public void FeedingBackTheMaskKeepsItWhileANewClickAdds()
    {
        using var sam = Open();
        var image = Noise(800, 600, 3);
        var first = sam.Segment(image, SamPrompt.FromPoints((200, 200, true)));
        var second = sam.Segment(image, new SamPrompt(null, [(600, 400, true)], first.LowResLogits));
        var expected = ExpectedLogits(0, Mapped(800, 600, new SamPrompt(null, [(600, 400, true)])), first.LowResLogits);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - second.LowResLogits[i]) <= 1e-3f * (1 + Math.Abs(expected[i])), $"logit {i}");
        AssertMaskFollowsLogits(second.Mask, expected, 800, 600);
        // The fed-back object stays and the new click adds to it.
        for (int i = 0; i < first.Mask.Bits.Length; i++)
            if (first.Mask.Bits[i] != 0) Assert.Equal(1, second.Mask.Bits[i]);
        Assert.True(second.Mask.CountSet() > first.Mask.CountSet() + 1000, $"{second.Mask.CountSet()} vs {first.Mask.CountSet()}");
    }

    [Fact]
    public void AnEmptyPromptIsRefused()
    {
        using var sam = Open();
        Assert.Contains("needs a prompt", Assert.Throws<SegmentationInputException>(() => sam.Segment(Noise(50, 40, 4), new SamPrompt(null, []))).Message);
    }
}
