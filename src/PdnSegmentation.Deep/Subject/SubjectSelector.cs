using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Progress;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Deep.Subject;

public sealed record SelectSubjectOptions
{
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;
    /// <summary>Threads one model run may use on the CPU; 0 = one per physical core.</summary>
    public int CpuThreads { get; init; }
    /// <summary>Guided-filter radius in photo pixels (the fit runs at the model's resolution: rounded to model pixels, at least one); 0 = two model pixels.</summary>
    public int GuidedRadius { get; init; }
    /// <summary>Guided-filter regularisation (intensities 0..1): smaller follows image edges more closely.</summary>
    public double GuidedEpsilon { get; init; } = 1e-3;
    /// <summary>
    /// Run the model on the photo and on its mirror image and average the two (test-time augmentation; the second run
    /// doubles the model's time); null = as the model's contract says (<see cref="SubjectContract.Mirror"/>). Hosts
    /// leave it null; benchmarks set it to measure both.
    /// </summary>
    public bool? MirrorAveraging { get; init; }
    /// <summary>
    /// Give the model's working memory back after each use (its last run of a photo): for hosts that keep the selector
    /// open between uses, so that an idle open model holds its weights only.
    /// </summary>
    public bool ReleaseWorkingMemory { get; init; }

    /// <summary>The graph-cut refinement of the model's mask at full resolution; null = the model's mask (p ≥ ½) alone.</summary>
    public SoftMaskRefinementOptions? Refinement { get; init; } = new();
}

/// <param name="Probability">The model's soft mask at full resolution (0..1), edges following the image.</param>
/// <param name="Mask">The subject: the refined mask, or the model's (probability ≥ ½) when refinement is off.</param>
/// <param name="ModelMask">The model's own mask (probability ≥ ½), before any refinement.</param>
public sealed record SubjectResult(AlphaMatte Probability, Mask Mask, DeviceReport Device)
{
    public Mask ModelMask { get; init; } = Mask;
    /// <summary>How many of the photo's pixels one of the model's output pixels spans.</summary>
    public double ModelPixelSize { get; init; } = 1;
}

/// <summary>
/// Select Subject: any installed subject model (bundled u2netp and MediaPipe selfie, or one the user installed) on a
/// whole photo, without any prompt. The model's contract (<see cref="SubjectContract"/>, from its model.json) says how
/// to prepare its input and read its output; the low-resolution output is brought to full resolution by a guided
/// filter so the mask's edge follows the photo, then refined by a graph cut (<see cref="SoftMaskRefinement"/>). One
/// ONNX session per selector (creating one costs 40–170 ms).
/// </summary>
public sealed class SubjectSelector : IDeviceModel, IAugmentableObjectModel, IDisposable
{
    public const string Task = "subject";

    private readonly SubjectContract _contract;
    private readonly ModelSession _session;
    private readonly SelectSubjectOptions _options;
    private readonly string _input, _output;

    /// <summary>Whether each use gives the model's working memory back (<see cref="SelectSubjectOptions.ReleaseWorkingMemory"/>).</summary>
    internal bool ReleasesWorkingMemory => _options.ReleaseWorkingMemory;

    private SubjectSelector(string name, SubjectContract contract, ModelSession session, SelectSubjectOptions options)
    {
        Name = name;
        _contract = contract;
        _session = session;
        _options = options;
        _input = contract.Input.Name ?? session.Session.InputMetadata.Keys.First();
        _output = contract.Output.Name ?? session.Session.OutputMetadata.Keys.First();
    }

    public string Name { get; }
    public DeviceReport Device => _session.Device;
    /// <summary>Whether each model run is mirror-averaged: the options' choice, else the model's contract.</summary>
    public bool Mirrors => _options.MirrorAveraging ?? _contract.Mirror;
    public bool NeedsWarmUp => _session.NeedsWarmUp;

    public void WarmUp(CancellationToken cancellationToken = default)
    {
        var (fw, fh) = Frame(_contract.Input.Side ?? _contract.Input.MaxSide!.Value, _contract.Input.Side ?? _contract.Input.MaxSide!.Value);
        _session.WarmUp(_input, _contract.Input.Layout == TensorLayout.Nchw ? [1, 3, fh, fw] : [1, fh, fw, 3], _output, cancellationToken);
    }

    /// <summary>Opens an installed subject model; a model whose tensors do not match its contract is refused, naming the mismatch.</summary>
    public static SubjectSelector Open(InstalledModel model, SelectSubjectOptions? options = null)
    {
        if (model.Task != Task) throw new ModelException($"The model '{model.Name}' is a {model.Task} model, not a subject model.");
        var contract = model.Subject ?? throw new ModelException($"The subject model '{model.Name}' has no tensor contract ('subject') in its model.json. Reinstall it.");
        options ??= new SelectSubjectOptions();
        var session = ModelSession.Open(model.FileFor("model"), options.Device, options.CpuThreads);
        var mismatches = contract.Mismatches(session.Session);
        if (mismatches.Count > 0)
        {
            session.Dispose();
            throw new ModelException($"The subject model '{model.Name}' does not match its contract: {string.Join("; ", mismatches)}. Reinstall it or correct its model.json.");
        }
        return new SubjectSelector(model.Name, contract, session, options);
    }

    /// <summary>The model's probability at full resolution, then (unless switched off) the graph-cut refinement.</summary>
    public SubjectResult Select(ColorImage image, CancellationToken cancellationToken = default, IProgress<double>? progress = null)
    {
        var scope = ProgressScope.For(progress);
        var (probability, modelPixelSize) = Probability(image, cancellationToken);
        scope.Report(0.4);
        return FromProbability(image, probability, modelPixelSize, _session.Device, _options.Refinement, scope.Slice(0.4, 1), cancellationToken);
    }

    /// <summary>
    /// The subject from a model's full-resolution probability: its mask (p ≥ ½) and, with <paramref name="refinement"/>,
    /// the graph-cut refinement (hosts that keep the probability while the user changes the refinement call this).
    /// </summary>
    public static SubjectResult FromProbability(ColorImage image, AlphaMatte probability, double modelPixelSize, DeviceReport device,
        SoftMaskRefinementOptions? refinement, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var modelMask = Mask.FromProbability(image.Width, image.Height, probability.Values);
        var mask = refinement is null
            ? modelMask
            : SoftMaskRefinement.Refine(image, probability.Values, modelPixelSize, refinement, null, null, progress, cancellationToken);
        return new SubjectResult(probability, mask, device) { ModelMask = modelMask, ModelPixelSize = modelPixelSize };
    }

    /// <summary>The model's object probability at the picture's size (the engine's view of the model: it chooses what the model is shown).</summary>
    float[] IObjectModel.Probability(ColorImage image, CancellationToken cancellationToken) => FullResolution(image, cancellationToken).Values;

    /// <summary>
    /// One run's answer at the picture's size, and the mirror-averaged answer (as <see cref="IObjectModel.Probability"/>
    /// gives it, to the last bit) on request: its second run only, the first run's raw map reused. A model whose contract
    /// does not mirror has no augmentation: both answers are its one run's.
    /// </summary>
    AugmentableProbability IAugmentableObjectModel.PlainProbability(ColorImage image, CancellationToken cancellationToken)
    {
        var prepared = Prepare(image);
        // The plain run may be the last of this use: it gives its working memory back when asked to, as a last run does.
        var raw = RunOnce(prepared, _options.ReleaseWorkingMemory, cancellationToken);
        bool mirrors = Mirrors;
        // A mirroring model keeps the raw map to average the mirrored run into; normalising works in place.
        var plain = UpsampleMap(image, prepared, Normalised(mirrors ? (float[])raw.Clone() : raw)).Values;
        if (!mirrors) return new AugmentableProbability(plain, _ => plain);
        return new AugmentableProbability(plain, token =>
        {
            AddMirrored(prepared, raw, token);
            return UpsampleMap(image, prepared, Normalised(raw)).Values;
        });
    }

    /// <summary>The model's object probability at the photo's size, and the size of one model pixel in photo pixels.</summary>
    public (AlphaMatte Probability, double ModelPixelSize) Probability(ColorImage image, CancellationToken cancellationToken = default)
    {
        var (full, modelPixelSize) = FullResolution(image, cancellationToken);
        var probability = new AlphaMatte(image.Width, image.Height);
        full.CopyTo(probability.Values);
        return (probability, modelPixelSize);
    }

    /// <summary>The model's map brought to the photo's size along its edges (guided upsampling), row-major.</summary>
    private (float[] Values, double ModelPixelSize) FullResolution(ColorImage image, CancellationToken cancellationToken)
    {
        var prepared = Prepare(image);
        return UpsampleMap(image, prepared, ModelMap(prepared, cancellationToken));
    }

    /// <summary>
    /// The model's map (over the frame's content) at the photo's size, following the photo's edges (He, Sun &amp; Tang's
    /// guided filter with the photo as guide, radius two model pixels). For a photo larger than the model's input the
    /// filter's local linear fit is made at the model's resolution, between the map and the photo as the model saw it
    /// (<see cref="Prepared.Content"/>), and its coefficients are brought to the photo's size (the fast guided filter,
    /// <see cref="LocalLinearUpsampling"/>): 21–39 ms of a 1 MP Smart Cut instead of 53–146 ms for the filter at full
    /// size, and on the public sets' boxes the same cuts (docs/benchmarks.md, "Smart Cut"). A photo smaller than the input in
    /// either direction is filtered at its own size on the resampled map, as cheap there as the fit: a model pixel
    /// smaller than a photo pixel has no colours of its own to fit (the model saw the photo enlarged).
    /// </summary>
    private (float[] Values, double ModelPixelSize) UpsampleMap(ColorImage image, Prepared prepared, float[] map)
    {
        var content = prepared.Content;
        double modelPixelSize = (double)Math.Max(image.Width, image.Height) / Math.Max(content.Width, content.Height);
        if (image.Width < content.Width || image.Height < content.Height)
        {
            int fullRadius = _options.GuidedRadius > 0 ? _options.GuidedRadius : Math.Max(2, (int)Math.Round(2.0 * modelPixelSize));
            return (PixelMaps.GuidedUpsample(image, map, content.Width, content.Height, fullRadius, _options.GuidedEpsilon), modelPixelSize);
        }
        int radius = _options.GuidedRadius > 0 ? Math.Max(1, (int)Math.Round(_options.GuidedRadius / modelPixelSize)) : 2;
        var region = new PixelRect(0, 0, content.Width, content.Height);
        var coefficients = LocalLinearUpsampling.Coefficients(content, map, radius, _options.GuidedEpsilon, region, 0);
        var values = new float[image.Width * image.Height];
        LocalLinearUpsampling.Apply(image, coefficients, region, (double)image.Width / content.Width, (double)image.Height / content.Height, values, 0);
        return (values, modelPixelSize);
    }

    /// <summary>
    /// The photo as the model's input: the tensor, its frame, and the photo resized to the part of the frame it fills
    /// (<see cref="Content"/>: what the model saw, the guide its answer is upsampled along).
    /// </summary>
    private sealed record Prepared(DenseTensor<float> Tensor, int FrameWidth, int FrameHeight, ColorImage Content)
    {
        public int ContentWidth => Content.Width;
        public int ContentHeight => Content.Height;
    }

    private Prepared Prepare(ColorImage image)
    {
        var input = _contract.Input;
        var (frameWidth, frameHeight) = Frame(image.Width, image.Height);
        var (contentWidth, contentHeight) = input.Resize == SubjectResize.Stretch
            ? (frameWidth, frameHeight)
            : Fit(image.Width, image.Height, frameWidth, frameHeight);
        var resized = PixelMaps.Resize(image, contentWidth, contentHeight);
        return new Prepared(Preprocess(resized, frameWidth, frameHeight), frameWidth, frameHeight, resized);
    }

    /// <summary>
    /// The model's output as probabilities at its own resolution, over the part of its frame the photo fills (mirror-
    /// averaged if the options say so): what is upsampled to the photo.
    /// </summary>
    internal (float[] Map, int Width, int Height) ModelMap(ColorImage image, CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(image);
        return (ModelMap(prepared, cancellationToken), prepared.ContentWidth, prepared.ContentHeight);
    }

    private float[] ModelMap(Prepared prepared, CancellationToken cancellationToken)
    {
        bool mirrors = Mirrors;
        var map = RunOnce(prepared, _options.ReleaseWorkingMemory && !mirrors, cancellationToken);
        if (mirrors) AddMirrored(prepared, map, cancellationToken);
        return Normalised(map);
    }

    private float[] RunOnce(Prepared p, bool releaseWorkingMemory, CancellationToken cancellationToken) =>
        Run(p.Tensor, p.FrameWidth, p.FrameHeight, p.ContentWidth, p.ContentHeight, releaseWorkingMemory, cancellationToken);

    /// <summary>Runs the mirrored photo and averages its answer, mirrored back, into <paramref name="map"/> (one run's raw map).</summary>
    private void AddMirrored(Prepared p, float[] map, CancellationToken cancellationToken)
    {
        var mirrored = Run(Mirror(p.Tensor, p.FrameWidth, p.FrameHeight, p.ContentWidth, p.ContentHeight), p.FrameWidth, p.FrameHeight, p.ContentWidth,
            p.ContentHeight, _options.ReleaseWorkingMemory, cancellationToken);
        int w = p.ContentWidth;
        for (int y = 0; y < p.ContentHeight; y++)
        {
            var row = map.AsSpan(y * w, w);
            var back = mirrored.AsSpan(y * w, w);
            for (int x = 0; x < w; x++) row[x] = 0.5f * (row[x] + back[w - 1 - x]);
        }
    }

    /// <summary>
    /// The map on the contract's scale: min-max normalised when it says so — once, after averaging, so that the two runs'
    /// maps share one scale (as a single run's would).
    /// </summary>
    private float[] Normalised(float[] map)
    {
        if (_contract.Output.MinMaxNormalise) MinMaxNormalise(map);
        return map;
    }

    /// <summary>
    /// The model's frame for a photo: the fixed side, or the longer side at MaxSide (a multiple of MultipleOf) and the
    /// shorter side at the nearest multiple (stretch) or the next multiple up (pad).
    /// </summary>
    private (int Width, int Height) Frame(int width, int height)
    {
        var input = _contract.Input;
        if (input.Side is { } side) return (side, side);
        int n = input.MultipleOf!.Value, max = input.MaxSide!.Value;
        double scale = (double)max / Math.Max(width, height);
        int Round(double v) => Math.Clamp(input.Resize == SubjectResize.Pad ? (int)Math.Ceiling(v / n - 1e-9) * n : (int)Math.Round(v / n) * n, n, max);
        return (Round(width * scale), Round(height * scale));
    }

    /// <summary>The photo's size inside a frame with its aspect kept (top-left; the rest is padding).</summary>
    private static (int Width, int Height) Fit(int width, int height, int frameWidth, int frameHeight)
    {
        double scale = Math.Min((double)frameWidth / width, (double)frameHeight / height);
        return (Math.Clamp((int)Math.Round(width * scale), 1, frameWidth), Math.Clamp((int)Math.Round(height * scale), 1, frameHeight));
    }

    /// <summary>The input tensor: scaled and normalised pixels in the contract's channel order and layout; padding stays 0.</summary>
    private DenseTensor<float> Preprocess(ColorImage resized, int frameWidth, int frameHeight)
    {
        var input = _contract.Input;
        bool nchw = input.Layout == TensorLayout.Nchw;
        var tensor = nchw ? new DenseTensor<float>([1, 3, frameHeight, frameWidth]) : new DenseTensor<float>([1, frameHeight, frameWidth, 3]);
        float scale = 1f / 255f;
        if (input.Scale == PixelScale.DivideMax)
        {
            int max = 1;
            for (int y = 0; y < resized.Height; y++)
            {
                var row = resized.Row(y);
                for (int x = 0; x < resized.Width; x++) max = Math.Max(max, Math.Max(row[4 * x], Math.Max(row[4 * x + 1], row[4 * x + 2])));
            }
            scale = 1f / max;
        }
        var span = tensor.Buffer.Span;
        var mean = input.Mean;
        var std = input.Std;
        bool rgb = input.Channels == ChannelOrder.Rgb;
        for (int y = 0; y < resized.Height; y++)
        {
            var row = resized.Row(y);
            for (int x = 0; x < resized.Width; x++)
                for (int c = 0; c < 3; c++)
                {
                    float v = row[4 * x + (rgb ? 2 - c : c)] * scale; // the photo is B, G, R, A in memory
                    v = (v - mean[c]) / std[c];
                    int index = nchw ? (c * frameHeight + y) * frameWidth + x : (y * frameWidth + x) * 3 + c;
                    span[index] = v;
                }
        }
        return tensor;
    }

    /// <summary>The photo mirrored left–right inside the same frame (padding stays where it is).</summary>
    private DenseTensor<float> Mirror(DenseTensor<float> tensor, int frameWidth, int frameHeight, int contentWidth, int contentHeight)
    {
        bool nchw = _contract.Input.Layout == TensorLayout.Nchw;
        var mirrored = new DenseTensor<float>(tensor.Dimensions);
        var from = tensor.Buffer.Span;
        var to = mirrored.Buffer.Span;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < contentHeight; y++)
                for (int x = 0; x < contentWidth; x++)
                {
                    int mx = contentWidth - 1 - x;
                    if (nchw) to[(c * frameHeight + y) * frameWidth + x] = from[(c * frameHeight + y) * frameWidth + mx];
                    else to[(y * frameWidth + x) * 3 + c] = from[(y * frameWidth + mx) * 3 + c];
                }
        return mirrored;
    }

    /// <summary>One model run: the output map's content part (the sigmoid applied to logits).</summary>
    private float[] Run(DenseTensor<float> tensor, int frameWidth, int frameHeight, int contentWidth, int contentHeight, bool releaseWorkingMemory,
        CancellationToken cancellationToken)
    {
        float[] output;
        using (var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)], [_output], cancellationToken, releaseWorkingMemory))
            output = outputs[0].AsEnumerable<float>().ToArray();
        if (output.Length != frameWidth * frameHeight)
            throw new ModelException($"The model '{Name}' returned {output.Length} values for a {frameWidth}×{frameHeight} frame: it is not the model its contract describes. Reinstall it.");
        float[] map;
        if (contentWidth == frameWidth && contentHeight == frameHeight) map = output;
        else
        {
            map = new float[contentWidth * contentHeight];
            for (int y = 0; y < contentHeight; y++) output.AsSpan(y * frameWidth, contentWidth).CopyTo(map.AsSpan(y * contentWidth, contentWidth));
        }
        if (_contract.Output.Kind == SubjectOutputKind.Logits)
            for (int i = 0; i < map.Length; i++) map[i] = 1 / (1 + MathF.Exp(-map[i]));
        return map;
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
