using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Sam;

/// <summary>Tensor names of a SAM-family ONNX export (they differ between exports; the model catalogue maps them).</summary>
public sealed record SamTensorNames
{
    public string Image { get; init; } = "image";
    public string Embeddings { get; init; } = "image_embeddings";
    public string PointCoords { get; init; } = "point_coords";
    public string PointLabels { get; init; } = "point_labels";
    public string MaskInput { get; init; } = "mask_input";
    public string HasMaskInput { get; init; } = "has_mask_input";
    public string OriginalSize { get; init; } = "orig_im_size";
    public string IouPredictions { get; init; } = "iou_predictions";
    public string LowResMasks { get; init; } = "low_res_masks";
}

/// <param name="Box">A box around the object (pixel rectangle).</param>
/// <param name="Points">Clicks in image pixels: Foreground true = on the object, false = on the background.</param>
/// <param name="PreviousLowResLogits">The previous result's 256×256 logits, fed back to refine it (or null).</param>
public sealed record SamPrompt(PixelRect? Box, IReadOnlyList<(double X, double Y, bool Foreground)> Points, float[]? PreviousLowResLogits = null)
{
    public static SamPrompt FromBox(PixelRect box) => new(box, []);
    public static SamPrompt FromPoints(params (double X, double Y, bool Foreground)[] points) => new(null, points);
}

/// <param name="Mask">The object at full resolution (upscaled logits &gt; 0).</param>
/// <param name="LowResLogits">The chosen mask's 256×256 logits (feed back through <see cref="SamPrompt.PreviousLowResLogits"/>).</param>
/// <param name="Variant">Which of the decoder's masks was used (a single click picks the best of the multimask outputs 1–3).</param>
public sealed record SamResult(Mask Mask, float[] LowResLogits, int Variant, float PredictedIoU);

/// <summary>
/// Segment Anything (Kirillov et al. 2023) through its ONNX export contract (SAM, MobileSAM): the image encoder runs
/// once per image and model and is cached (keyed by the pixels' SHA-256; <see cref="EncoderRuns"/> makes that
/// observable); the prompt decoder runs per prompt. Preprocessing is SAM's: longest side resized to 1024, ImageNet
/// pixel mean/std, bottom/right zero padding to 1024×1024; prompt coordinates are scaled into the resized frame; the
/// chosen 256×256 logits are upscaled to 1024, cropped to the resized image and upscaled to the original size before
/// thresholding at 0.
/// </summary>
public sealed class SegmentAnything : IDeviceModel, IDisposable
{
    public const int InputSide = 1024, LowResSide = 256;
    private static readonly float[] PixelMean = [123.675f, 116.28f, 103.53f], PixelStd = [58.395f, 57.12f, 57.375f];

    private readonly ModelSession _encoder, _decoder;
    private readonly SamTensorNames _names;
    private string? _cachedKey;
    private DenseTensor<float>? _cachedEmbeddings;

    private SegmentAnything(ModelSession encoder, ModelSession decoder, SamTensorNames names)
    {
        _encoder = encoder;
        _decoder = decoder;
        _names = names;
    }

    public int EncoderRuns { get; private set; }

    /// <summary>Time the last Segment call spent inside the decoder's ONNX run (the rest is this class's own work).</summary>
    public TimeSpan LastDecoderRunTime { get; private set; }
    public DeviceReport Device => _encoder.Device;

    public bool NeedsWarmUp => _encoder.NeedsWarmUp;

    // The encoder is the heavy model; the decoder's first run is cheap.
    public void WarmUp(CancellationToken cancellationToken = default) =>
        _encoder.WarmUp(_names.Image, [1, 3, InputSide, InputSide], _names.Embeddings, cancellationToken);

    public static SegmentAnything Open(ModelFile encoder, ModelFile decoder, ExecutionDevice device, SamTensorNames? names = null)
    {
        var e = ModelSession.Open(encoder, device);
        try
        {
            return new SegmentAnything(e, ModelSession.Open(decoder, device), names ?? new SamTensorNames());
        }
        catch
        {
            e.Dispose();
            throw;
        }
    }

    /// <summary>Opens an installed Segment Anything model (its model.json names the files and tensors).</summary>
    public static SegmentAnything Open(InstalledModel model, ExecutionDevice device)
    {
        if (model.Task != InstalledModel.SegmentAnythingTask)
            throw new ModelException($"The model '{model.Name}' is a {model.Task} model, not a Segment Anything model.");
        return Open(model.FileFor("encoder"), model.FileFor("decoder"), device, model.SamTensors);
    }

    /// <summary>The size of the image inside SAM's 1024 frame (SAM's ResizeLongestSide rounding).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height)
    {
        double scale = (double)InputSide / Math.Max(width, height);
        return ((int)(width * scale + 0.5), (int)(height * scale + 0.5));
    }

    public SamResult Segment(ColorImage image, SamPrompt prompt, CancellationToken cancellationToken = default)
    {
        if (prompt.Box is null && prompt.Points.Count == 0)
            throw new SegmentationInputException("Segment Anything needs a prompt: a box around the object and/or a click on it.");
        if (prompt.Box is { } b && (b.Width <= 0 || b.Height <= 0))
            throw new SegmentationInputException($"The box {b} is empty: give it a positive width and height.");
        if (prompt.PreviousLowResLogits is { Length: not LowResSide * LowResSide })
            throw new ArgumentException($"The previous logits must be {LowResSide}×{LowResSide}.", nameof(prompt));
        var embeddings = Embeddings(image, cancellationToken);
        var (rw, rh) = ResizedSize(image.Width, image.Height);
        double sx = (double)rw / image.Width, sy = (double)rh / image.Height;

        // Points (labels 1 / 0), then the box corners (2, 3), or one padding point (−1) when there is no box.
        var coords = new List<float>();
        var labels = new List<float>();
        foreach (var (x, y, foreground) in prompt.Points)
        {
            coords.Add((float)(x * sx)); coords.Add((float)(y * sy));
            labels.Add(foreground ? 1 : 0);
        }
        if (prompt.Box is { } box)
        {
            coords.Add((float)(box.X * sx)); coords.Add((float)(box.Y * sy)); labels.Add(2);
            coords.Add((float)((box.X + box.Width - 1) * sx)); coords.Add((float)((box.Y + box.Height - 1) * sy)); labels.Add(3);
        }
        else
        {
            coords.Add(0); coords.Add(0); labels.Add(-1);
        }
        int n = labels.Count;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(_names.Embeddings, embeddings),
            NamedOnnxValue.CreateFromTensor(_names.PointCoords, new DenseTensor<float>(coords.ToArray(), [1, n, 2])),
            NamedOnnxValue.CreateFromTensor(_names.PointLabels, new DenseTensor<float>(labels.ToArray(), [1, n])),
            NamedOnnxValue.CreateFromTensor(_names.MaskInput, new DenseTensor<float>(prompt.PreviousLowResLogits ?? new float[LowResSide * LowResSide], [1, 1, LowResSide, LowResSide])),
            NamedOnnxValue.CreateFromTensor(_names.HasMaskInput, new DenseTensor<float>(new[] { prompt.PreviousLowResLogits is null ? 0f : 1f }, [1])),
            NamedOnnxValue.CreateFromTensor(_names.OriginalSize, new DenseTensor<float>(new float[] { image.Height, image.Width }, [2])),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var outputs = _decoder.Run(inputs, [_names.IouPredictions, _names.LowResMasks], cancellationToken);
        LastDecoderRunTime = clock.Elapsed;
        var iou = outputs[0].AsEnumerable<float>().ToArray();
        var lowRes = outputs[1].AsEnumerable<float>().ToArray();
        int variants = iou.Length;
        if (lowRes.Length != variants * LowResSide * LowResSide)
            throw new ModelException($"The SAM decoder returned {lowRes.Length} logits for {variants} masks instead of {LowResSide}×{LowResSide} each: it is not a SAM-contract model.");

        // One click is ambiguous (part, object, whole): SAM's multimask outputs 1–3 cover it, the best predicted IoU wins.
        int variant = 0;
        bool singleClick = prompt.Box is null && prompt.Points.Count == 1 && prompt.PreviousLowResLogits is null && variants > 1;
        if (singleClick)
        {
            variant = 1;
            for (int k = 2; k < variants; k++) if (iou[k] > iou[variant]) variant = k;
        }
        var chosen = lowRes.AsSpan(variant * LowResSide * LowResSide, LowResSide * LowResSide).ToArray();
        return new SamResult(Upscale(chosen, image.Width, image.Height), chosen, variant, iou[variant]);
    }

    /// <summary>256² logits → 1024² → the resized image's part → original size → &gt; 0.</summary>
    public static Mask Upscale(float[] lowResLogits, int width, int height)
    {
        var full = UpscaleLogits(lowResLogits, width, height);
        var mask = new Mask(width, height);
        var bits = mask.Bits;
        for (int i = 0; i < full.Length; i++) bits[i] = full[i] > 0 ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>The 256² logits at the original size (SAM's own upscaling: to 1024², cropped to the resized image, resized).</summary>
    public static float[] UpscaleLogits(float[] lowResLogits, int width, int height)
    {
        var (rw, rh) = ResizedSize(width, height);
        var frame = PixelMaps.ResizeFloat(lowResLogits, LowResSide, LowResSide, InputSide, InputSide);
        var cropped = new float[rw * rh];
        for (int y = 0; y < rh; y++) frame.AsSpan(y * InputSide, rw).CopyTo(cropped.AsSpan(y * rw, rw));
        return PixelMaps.ResizeFloat(cropped, rw, rh, width, height);
    }

    private DenseTensor<float> Embeddings(ColorImage image, CancellationToken cancellationToken)
    {
        string key = Key(image);
        if (key == _cachedKey && _cachedEmbeddings is not null) return _cachedEmbeddings;
        var (rw, rh) = ResizedSize(image.Width, image.Height);
        var resized = PixelMaps.Resize(image, rw, rh);
        var input = new DenseTensor<float>([1, 3, InputSide, InputSide]); // zero = the padding
        var span = input.Buffer.Span;
        for (int y = 0; y < rh; y++)
        {
            var row = resized.Row(y);
            for (int x = 0; x < rw; x++)
                for (int c = 0; c < 3; c++)
                    span[(c * InputSide + y) * InputSide + x] = (row[4 * x + 2 - c] - PixelMean[c]) / PixelStd[c];
        }
        using (var outputs = _encoder.Run([NamedOnnxValue.CreateFromTensor(_names.Image, input)], [_names.Embeddings], cancellationToken))
        {
            var tensor = outputs[0].AsTensor<float>();
            _cachedEmbeddings = new DenseTensor<float>(tensor.ToArray(), tensor.Dimensions.ToArray());
        }
        _cachedKey = key;
        EncoderRuns++;
        return _cachedEmbeddings;
    }

    private static string Key(ColorImage image)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(image.Width));
        hash.AppendData(BitConverter.GetBytes(image.Height));
        for (int y = 0; y < image.Height; y++) hash.AppendData(image.Row(y));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }
}
