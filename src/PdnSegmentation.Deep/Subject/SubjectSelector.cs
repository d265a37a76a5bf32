using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Subject;

public sealed record SelectSubjectOptions
{
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;
    /// <summary>Guided-filter radius at full resolution; 0 = about two model pixels.</summary>
    public int GuidedRadius { get; init; }
    /// <summary>Guided-filter regularisation (intensities 0..1): smaller follows image edges more closely.</summary>
    public double GuidedEpsilon { get; init; } = 1e-3;
}

/// <param name="Probability">The subject's soft mask at full resolution (0..1), edges following the image.</param>
/// <param name="Mask">Probability ≥ ½.</param>
public sealed record SubjectResult(AlphaMatte Probability, Mask Mask, DeviceReport Device);

/// <summary>
/// Select Subject: the bundled salient-object (u2netp) or person (selfie) model on a whole photo, without any prompt.
/// Preprocessing follows each model's SOURCE.md; the model's low-resolution output is brought to full resolution by a
/// guided filter so the mask's edge follows the photo. One session per selector (creating one costs 40–170 ms).
/// </summary>
public sealed class SubjectSelector : IDeviceModel, IDisposable
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    private readonly SubjectModel _model;
    private readonly ModelSession _session;
    private readonly SelectSubjectOptions _options;

    private SubjectSelector(SubjectModel model, ModelSession session, SelectSubjectOptions options)
    {
        _model = model;
        _session = session;
        _options = options;
    }

    public DeviceReport Device => _session.Device;

    public bool NeedsWarmUp => _session.NeedsWarmUp;

    public void WarmUp(CancellationToken cancellationToken = default) =>
        _session.WarmUp(_model.Input, _model.ChannelsFirst ? [1, 3, _model.Side, _model.Side] : [1, _model.Side, _model.Side, 3], _model.Output, cancellationToken);

    /// <param name="modelsFolder">The folder holding the models' subfolders (u2netp/, mediapipe-selfie-segmentation/).</param>
    public static SubjectSelector Open(string modelsFolder, SubjectModelKind kind, SelectSubjectOptions? options = null)
    {
        options ??= new SelectSubjectOptions();
        var model = SubjectModel.For(kind);
        var file = new ModelFile(Path.Combine(modelsFolder, model.Folder, model.FileName), model.Size, model.Sha256);
        return new SubjectSelector(model, ModelSession.Open(file, options.Device), options);
    }

    public SubjectResult Select(ColorImage image, CancellationToken cancellationToken = default)
    {
        int side = _model.Side;
        var input = Preprocess(PixelMaps.Resize(image, side, side));
        float[] map;
        using (var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_model.Input, input)], [_model.Output], cancellationToken))
            map = outputs[0].AsEnumerable<float>().ToArray();
        if (map.Length != side * side)
            throw new ModelException($"The model '{_model.FileName}' returned {map.Length} values instead of {side}×{side}: it is not the expected model. Reinstall it.");
        if (_model.MinMaxOutput) MinMaxNormalise(map);
        int radius = _options.GuidedRadius > 0 ? _options.GuidedRadius : Math.Max(2, (int)Math.Round(2.0 * Math.Max(image.Width, image.Height) / side));
        var full = PixelMaps.GuidedUpsample(image, map, side, side, radius, _options.GuidedEpsilon);
        var probability = new AlphaMatte(image.Width, image.Height);
        full.CopyTo(probability.Values);
        var mask = new Mask(image.Width, image.Height);
        var bits = mask.Bits;
        for (int i = 0; i < full.Length; i++) bits[i] = full[i] >= 0.5f ? (byte)1 : (byte)0;
        return new SubjectResult(probability, mask, _session.Device);
    }

    /// <summary>RGB tensor: NCHW with U²-Net's normalisation (÷ max, ImageNet mean/std), or NHWC ÷ 255 for the selfie model.</summary>
    private DenseTensor<float> Preprocess(ColorImage resized)
    {
        int side = _model.Side;
        var tensor = _model.ChannelsFirst ? new DenseTensor<float>([1, 3, side, side]) : new DenseTensor<float>([1, side, side, 3]);
        float scale = 1f / 255f;
        if (_model.ImageNetNormalised)
        {
            int max = 1;
            for (int y = 0; y < side; y++)
            {
                var row = resized.Row(y);
                for (int x = 0; x < side; x++) max = Math.Max(max, Math.Max(row[4 * x], Math.Max(row[4 * x + 1], row[4 * x + 2])));
            }
            scale = 1f / max;
        }
        var span = tensor.Buffer.Span;
        for (int y = 0; y < side; y++)
        {
            var row = resized.Row(y);
            for (int x = 0; x < side; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    float v = row[4 * x + 2 - c] * scale; // R, G, B from B, G, R
                    if (_model.ImageNetNormalised) v = (v - Mean[c]) / Std[c];
                    int index = _model.ChannelsFirst ? (c * side + y) * side + x : (y * side + x) * 3 + c;
                    span[index] = v;
                }
            }
        }
        return tensor;
    }

    private static void MinMaxNormalise(float[] map)
    {
        float min = map.Min(), max = map.Max();
        float range = max - min;
        if (range <= 0) return;
        for (int i = 0; i < map.Length; i++) map[i] = (map[i] - min) / range;
    }

    public void Dispose() => _session.Dispose();
}
