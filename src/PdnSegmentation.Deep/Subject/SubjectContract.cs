using Microsoft.ML.OnnxRuntime;

namespace PdnSegmentation.Deep.Subject;

public enum TensorLayout
{
    /// <summary>[1, 3, H, W] (PyTorch exports).</summary>
    Nchw,
    /// <summary>[1, H, W, 3] (TensorFlow / MediaPipe exports).</summary>
    Nhwc,
}

public enum SubjectResize
{
    /// <summary>The whole photo stretched to the model's frame (aspect not kept), as U²-Net and IS-Net were trained.</summary>
    Stretch,
    /// <summary>The photo scaled to fit with its aspect kept; the rest of the frame (bottom and right) is zero after normalisation.</summary>
    Pad,
}

public enum ChannelOrder { Rgb, Bgr }

public enum PixelScale
{
    /// <summary>v / 255.</summary>
    Divide255,
    /// <summary>v / (the largest channel value of the resized photo), as U²-Net's reference code does.</summary>
    DivideMax,
}

public enum SubjectOutputKind
{
    /// <summary>Values already in 0..1 (the export ends in a sigmoid).</summary>
    Probability,
    /// <summary>Raw scores: the sigmoid is applied here.</summary>
    Logits,
}

/// <summary>
/// What a subject model's input tensor must hold. The frame is either a fixed square <see cref="Side"/>, or any size
/// that is a multiple of <see cref="MultipleOf"/> with the longer side scaled to <see cref="MaxSide"/>. Each pixel is
/// scaled (<see cref="Scale"/>), then normalised per channel as (v − mean) / std in <see cref="Channels"/> order.
/// </summary>
public sealed record SubjectInputContract
{
    /// <summary>The input tensor's name; null = the model's first input.</summary>
    public string? Name { get; init; }
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;
    public int? Side { get; init; }
    public int? MultipleOf { get; init; }
    public int? MaxSide { get; init; }
    public SubjectResize Resize { get; init; } = SubjectResize.Stretch;
    public ChannelOrder Channels { get; init; } = ChannelOrder.Rgb;
    public PixelScale Scale { get; init; } = PixelScale.Divide255;
    public float[] Mean { get; init; } = [0, 0, 0];
    public float[] Std { get; init; } = [1, 1, 1];
}

/// <summary>What a subject model's output holds: one map of the frame's size.</summary>
public sealed record SubjectOutputContract
{
    /// <summary>The output tensor's name; null = the model's first output.</summary>
    public string? Name { get; init; }
    public SubjectOutputKind Kind { get; init; } = SubjectOutputKind.Probability;
    /// <summary>Stretch the map to 0..1 by its own minimum and maximum (U²-Net's and IS-Net's reference post-processing).</summary>
    public bool MinMaxNormalise { get; init; }
}

/// <summary>
/// A subject (salient object / background removal) model's tensor contract, as its model.json states it: the runtime
/// needs nothing else to run any such export. The bundled u2netp and MediaPipe selfie models are two such descriptors.
/// </summary>
public sealed record SubjectContract(SubjectInputContract Input, SubjectOutputContract Output)
{
    /// <summary>
    /// Test-time mirroring: the model also runs on the photo mirrored left–right and the two maps are averaged (twice
    /// the model's time). Part of the contract because it is a property of the network, chosen per model by measurement
    /// (docs/models.md): it helps u2netp, and a model whose reference pipeline does not mirror runs as its authors ran it
    /// unless a measurement says otherwise. Absent = false, the reference pipelines' behaviour.
    /// </summary>
    public bool Mirror { get; init; }

    /// <summary>Problems with the description itself (before any model is opened); empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var input = Input;
        bool fixedSide = input.Side is not null, anySize = input.MultipleOf is not null || input.MaxSide is not null;
        if (fixedSide == anySize) problems.Add("the input needs either a fixed 'side' or 'multipleOf' with 'maxSide'");
        if (input.Side is <= 0 or > 8192) problems.Add($"the input side {input.Side} is not between 1 and 8192");
        if (anySize && (input.MultipleOf is not (> 0 and <= 512) || input.MaxSide is not (> 0 and <= 8192) || input.MaxSide % input.MultipleOf != 0))
            problems.Add("'multipleOf' must be 1..512 and 'maxSide' a multiple of it, at most 8192");
        if (input.Mean is not { Length: 3 } || input.Std is not { Length: 3 }) problems.Add("'mean' and 'std' need three values each");
        else if (input.Std.Any(s => !(s > 0)) || input.Mean.Any(m => !float.IsFinite(m))) problems.Add("'std' must be positive and 'mean' finite");
        return problems;
    }

    /// <summary>
    /// How the ONNX model's tensors disagree with this contract (missing names, wrong rank, three colour channels not
    /// where the layout puts them, a fixed size other than the frame's, more than one output channel); empty when they agree.
    /// </summary>
    public IReadOnlyList<string> Mismatches(InferenceSession session)
    {
        var mismatches = new List<string>(Problems());
        string? inputName = Input.Name ?? session.InputMetadata.Keys.FirstOrDefault();
        string? outputName = Output.Name ?? session.OutputMetadata.Keys.FirstOrDefault();
        if (inputName is null || !session.InputMetadata.TryGetValue(inputName, out var input))
            mismatches.Add($"no input named '{Input.Name}' (the model has: {string.Join(", ", session.InputMetadata.Keys)})");
        else
        {
            int[] dims = input.Dimensions;
            if (input.ElementType != typeof(float)) mismatches.Add($"input '{inputName}' holds {input.ElementType.Name}, not float32");
            if (dims.Length != 4) mismatches.Add($"input '{inputName}' has rank {dims.Length}, not 4 ({Input.Layout})");
            else
            {
                int channelAxis = Input.Layout == TensorLayout.Nchw ? 1 : 3;
                int heightAxis = Input.Layout == TensorLayout.Nchw ? 2 : 1;
                if (dims[channelAxis] is not (3 or -1))
                    mismatches.Add($"input '{inputName}' has {dims[channelAxis]} channels where the {Input.Layout} layout needs 3 (shape {Shape(dims)})");
                foreach (int axis in new[] { heightAxis, heightAxis + 1 })
                {
                    int d = dims[axis];
                    if (d <= 0) continue; // dynamic
                    if (Input.Side is { } side && d != side)
                        mismatches.Add($"input '{inputName}' is fixed at {Shape(dims)}, but the contract's frame is {side}×{side}");
                    else if (Input.Side is null)
                        mismatches.Add($"input '{inputName}' is fixed at {Shape(dims)}, but the contract says any multiple of {Input.MultipleOf} up to {Input.MaxSide}");
                }
            }
        }
        if (outputName is null || !session.OutputMetadata.TryGetValue(outputName, out var output))
            mismatches.Add($"no output named '{Output.Name}' (the model has: {string.Join(", ", session.OutputMetadata.Keys)})");
        else
        {
            int[] dims = output.Dimensions;
            if (output.ElementType != typeof(float)) mismatches.Add($"output '{outputName}' holds {output.ElementType.Name}, not float32");
            if (dims.Length is < 2 or > 4) mismatches.Add($"output '{outputName}' has rank {dims.Length}; a subject map needs 2 to 4");
            else if (dims.Length == 4 && dims[1] > 1 && dims[3] > 1) mismatches.Add($"output '{outputName}' {Shape(dims)} has more than one channel");
        }
        return mismatches.Distinct().ToList();
    }

    private static string Shape(int[] dims) => "[" + string.Join(",", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
