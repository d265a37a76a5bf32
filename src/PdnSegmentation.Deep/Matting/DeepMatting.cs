using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Deep.Matting;

/// <summary>The tensor names of a trimap-based matting export; ViTMatte's by default (model.json may rename them).</summary>
public sealed record MattingTensorNames
{
    public string Input { get; init; } = "pixel_values";
    public string Output { get; init; } = "alphas";
}

public sealed record DeepMattingOptions
{
    /// <summary>
    /// The longest side the model sees. A transformer matting model's memory and time grow at least with the area it
    /// sees, so a larger unknown region is matted at this size and brought back by the guided filter.
    /// </summary>
    public int MaxSide { get; init; } = 1536;

    /// <summary>Context kept around the unknown region's bounding box, in pixels of the photo.</summary>
    public int Margin { get; init; } = 64;

    /// <summary>Threads one model run may use on the CPU; 0 = one per physical core.</summary>
    public int CpuThreads { get; init; }
}

/// <summary>
/// A deep trimap-based matting model (e.g. ViTMatte, Yao et al. 2024) through its ONNX export's contract: input
/// <c>[1,4,H,W]</c> = RGB / 255 normalised with mean = std = 0.5, then the trimap / 255 (0, 128/255, 1) as a fourth
/// channel, padded bottom/right with zeros to multiples of 32; output alpha <c>[1,1,H,W]</c>. Only the bounding box of
/// the unknown region (plus a margin of context) is run; known trimap pixels keep their labels.
/// </summary>
public sealed class DeepMatting : IDeviceModel, IDisposable
{
    public const string Task = "matting";
    private const int Divisor = 32;
    private static readonly float UnknownValue = 128f / 255f;

    private readonly ModelSession _session;
    private readonly MattingTensorNames _names;
    private readonly DeepMattingOptions _options;

    private DeepMatting(ModelSession session, MattingTensorNames names, DeepMattingOptions options)
    {
        _session = session;
        _names = names;
        _options = options;
    }

    public string Name { get; private init; } = "";
    public DeviceReport Device => _session.Device;
    public bool NeedsWarmUp => _session.NeedsWarmUp;

    public void WarmUp(CancellationToken cancellationToken = default) =>
        _session.WarmUp(_names.Input, [1, 4, Divisor * 8, Divisor * 8], _names.Output, cancellationToken);

    public static DeepMatting Open(InstalledModel model, ExecutionDevice device, DeepMattingOptions? options = null)
    {
        if (model.Task != Task) throw new ModelException($"The model '{model.Name}' is a {model.Task} model, not a matting model.");
        var session = ModelSession.Open(model.FileFor("model"), device, options?.CpuThreads ?? 0);
        var names = model.MattingTensors ?? new MattingTensorNames();
        if (!session.Session.InputMetadata.ContainsKey(names.Input) || !session.Session.OutputMetadata.ContainsKey(names.Output))
        {
            session.Dispose();
            throw new ModelException($"The model '{model.Name}' has no input '{names.Input}' or output '{names.Output}': it is not a trimap matting export with the expected tensors. Map its tensor names in model.json or reinstall it.");
        }
        return new DeepMatting(session, names, options ?? new DeepMattingOptions()) { Name = model.Name };
    }

    /// <summary>Alpha from the model, then clean object colours (as <see cref="RefineMatte.FromTrimap"/> does for the classic methods).</summary>
    public MatteResult Matte(ColorImage image, Trimap trimap, ForegroundOptions? foreground = null, CancellationToken cancellationToken = default)
    {
        var alpha = Estimate(image, trimap, cancellationToken);
        return new MatteResult(alpha, ForegroundEstimation.EstimateForeground(image, alpha, foreground, cancellationToken), trimap);
    }

    public AlphaMatte Estimate(ColorImage image, Trimap trimap, CancellationToken cancellationToken = default)
    {
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        var alpha = new AlphaMatte(image.Width, image.Height);
        var labels = trimap.Labels;
        var values = alpha.Values;
        for (int i = 0; i < labels.Length; i++) values[i] = labels[i] == (byte)TrimapLabel.Foreground ? 1 : 0;

        var region = UnknownBounds(trimap).Inflate(_options.Margin).Intersect(new PixelRect(0, 0, image.Width, image.Height));
        double scale = Math.Min(1.0, (double)_options.MaxSide / Math.Max(region.Width, region.Height));
        int w = Math.Max(1, (int)Math.Round(region.Width * scale)), h = Math.Max(1, (int)Math.Round(region.Height * scale));
        var crop = image.Crop(region);
        var seen = scale < 1 ? PixelMaps.Resize(crop, w, h) : crop;
        var input = Input(seen, trimap, region, w, h);
        cancellationToken.ThrowIfCancellationRequested();

        float[] output;
        int paddedWidth = input.Dimensions[3];
        using (var results = _session.Run([NamedOnnxValue.CreateFromTensor(_names.Input, input)], [_names.Output], cancellationToken))
        {
            var tensor = results[0].AsTensor<float>();
            if (tensor.Length != (long)input.Dimensions[2] * paddedWidth)
                throw new ModelException($"The model '{Name}' returned {tensor.Length} values for a {paddedWidth}×{input.Dimensions[2]} input: it is not a matting model with one alpha channel.");
            output = tensor.ToArray();
        }
        var small = new float[w * h];
        for (int y = 0; y < h; y++) output.AsSpan(y * paddedWidth, w).CopyTo(small.AsSpan(y * w, w));
        // Upsampled by the crop's own image as guide, so the edge follows the photo rather than a blurred small alpha.
        var full = scale < 1 ? PixelMaps.GuidedUpsample(crop, small, w, h, Math.Max(2, (int)Math.Ceiling(1 / scale)), 1e-4) : small;
        for (int y = 0; y < region.Height; y++)
        for (int x = 0; x < region.Width; x++)
        {
            int i = (region.Y + y) * image.Width + region.X + x;
            if (labels[i] == (byte)TrimapLabel.Unknown) values[i] = Math.Clamp(full[y * region.Width + x], 0f, 1f);
        }
        return alpha;
    }

    private static PixelRect UnknownBounds(Trimap trimap)
    {
        int left = trimap.Width, top = trimap.Height, right = -1, bottom = -1;
        var labels = trimap.Labels;
        for (int y = 0; y < trimap.Height; y++)
        {
            var row = labels.Slice(y * trimap.Width, trimap.Width);
            int first = row.IndexOf((byte)TrimapLabel.Unknown);
            if (first < 0) continue;
            int last = row.LastIndexOf((byte)TrimapLabel.Unknown);
            (left, right, top, bottom) = (Math.Min(left, first), Math.Max(right, last), Math.Min(top, y), y);
        }
        return new PixelRect(left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>The 4-channel input at w × h (the trimap sampled at the nearest pixel), padded to multiples of 32.</summary>
    private static DenseTensor<float> Input(ColorImage seen, Trimap trimap, PixelRect region, int w, int h)
    {
        int pw = (w + Divisor - 1) / Divisor * Divisor, ph = (h + Divisor - 1) / Divisor * Divisor;
        var tensor = new DenseTensor<float>([1, 4, ph, pw]);
        var span = tensor.Buffer.Span;
        int plane = pw * ph;
        var labels = trimap.Labels;
        for (int y = 0; y < h; y++)
        {
            var row = seen.Row(y);
            int sy = region.Y + Math.Min(region.Height - 1, (int)((y + 0.5) * region.Height / h));
            for (int x = 0; x < w; x++)
            {
                int o = y * pw + x;
                // (v / 255 − 0.5) / 0.5; Paint.NET's byte order is BGRA, the model's RGB.
                span[o] = row[4 * x + 2] / 127.5f - 1;
                span[plane + o] = row[4 * x + 1] / 127.5f - 1;
                span[2 * plane + o] = row[4 * x] / 127.5f - 1;
                int sx = region.X + Math.Min(region.Width - 1, (int)((x + 0.5) * region.Width / w));
                span[3 * plane + o] = labels[sy * trimap.Width + sx] switch
                {
                    (byte)TrimapLabel.Foreground => 1,
                    (byte)TrimapLabel.Background => 0,
                    _ => UnknownValue,
                };
            }
        }
        return tensor;
    }

    public void Dispose() => _session.Dispose();
}
