using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PdnSegmentation.Imaging;
using PdnSegmentation.Numerics;

namespace PdnSegmentation.Segmentation;

/// <summary>
/// Evidence about each pixel that does not come from the colour models — a deep model's probability, the reach of a
/// user's clicks — as object log-odds l = log(p / (1 − p)). A graph cut adds it to the data term as the negative log of
/// the prior's probability, scaled by <see cref="Weight"/>: w·softplus(−l) when the pixel is object, w·softplus(l) when
/// it is background. With w = 1 the cut is the MAP labelling of the colour likelihood times this prior.
/// </summary>
public sealed class ObjectPrior
{
    /// <summary>Log-odds are clamped to ±this (p within about 2·10⁻⁷ of 0 or 1): a saturated model output is strong evidence, not certainty.</summary>
    public const float MaxLogOdds = 15;

    private readonly float[] _logOdds;

    public int Width { get; }
    public int Height { get; }

    /// <summary>How many nats one unit of the prior's negative log-probability costs in the energy.</summary>
    public float Weight { get; }

    public ObjectPrior(int width, int height, float[] logOdds, float weight = 1)
    {
        ImageGuard.Size(width, height);
        if (logOdds.Length != width * height) throw new ArgumentException($"The prior needs {width * height} log-odds, got {logOdds.Length}.", nameof(logOdds));
        if (!(weight >= 0) || float.IsInfinity(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The prior's weight must be finite and non-negative.");
        Width = width;
        Height = height;
        _logOdds = logOdds;
        Weight = weight;
    }

    /// <summary>Object log-odds per pixel, row-major (clamped to ±<see cref="MaxLogOdds"/> when read).</summary>
    public ReadOnlySpan<float> LogOdds => _logOdds;

    /// <summary>A prior from object probabilities in [0, 1] (e.g. a model's soft mask), converted to clamped log-odds.</summary>
    public static ObjectPrior FromProbability(int width, int height, ReadOnlySpan<float> probability, float weight = 1)
    {
        var logOdds = new float[probability.Length];
        ToLogOdds(probability, logOdds);
        return new ObjectPrior(width, height, logOdds, weight);
    }

    /// <summary>
    /// <see cref="ToLogOdds(float)"/> for a run of probabilities, eight at a time where the processor has 256-bit vectors
    /// (a click converts a quarter-megapixel map per click, Smart Cut a photo-size one; the vector log,
    /// <see cref="VectorExpLog"/>'s, differs from MathF's by at most two ulps). NaN in gives an unspecified value out:
    /// callers skip those pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see VectorExpLog
    public static void ToLogOdds(ReadOnlySpan<float> probability, Span<float> logOdds)
    {
        int n = probability.Length;
        if (logOdds.Length < n) throw new ArgumentException("The output is shorter than the input.", nameof(logOdds));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var max = Vector256.Create(MaxLogOdds);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var p = Vector256.Min(Vector256.Max(Vector256.Create<float>(probability[i..]), Vector256<float>.Zero), Vector256<float>.One);
                var l = VectorExpLog.Log(p) - VectorExpLog.Log(Vector256<float>.One - p);
                Vector256.Min(Vector256.Max(l, -max), max).CopyTo(logOdds[i..]);
            }
        }
        for (; i < n; i++) logOdds[i] = ToLogOdds(probability[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToLogOdds(float probability)
    {
        float p = Math.Clamp(probability, 0f, 1f);
        return Math.Clamp(MathF.Log(p) - MathF.Log(1 - p), -MaxLogOdds, MaxLogOdds);
    }

    /// <summary>The prior's costs of pixel i being object and being background: w·softplus(∓l).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Costs(int i, out float objectCost, out float backgroundCost)
    {
        float l = Math.Clamp(_logOdds[i], -MaxLogOdds, MaxLogOdds);
        float shared = MathF.Log(1 + MathF.Exp(-Math.Abs(l))); // softplus(±l) = max(±l, 0) + log(1 + e^−|l|)
        objectCost = Weight * (Math.Max(-l, 0) + shared);
        backgroundCost = Weight * (Math.Max(l, 0) + shared);
    }

    /// <summary>
    /// <see cref="Costs"/> for the run of pixels from <paramref name="start"/>, eight at a time where the processor has
    /// 256-bit vectors: a cut's evaluation pass reads the prior at every pixel, and the scalar exp and log were a fifth of
    /// a click's pass at 0.25 MP. The vector exp and log differ from MathF's by at most two ulps (as in
    /// <see cref="Mixtures.ColorGmm.Costs"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see VectorExpLog
    internal void RowCosts(int start, Span<float> objectCost, Span<float> backgroundCost)
    {
        int n = objectCost.Length;
        if (backgroundCost.Length < n) throw new ArgumentException("The output spans differ in length.");
        var logOdds = _logOdds.AsSpan(start, n);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var weight = Vector256.Create(Weight);
            var max = Vector256.Create(MaxLogOdds);
            for (; x <= n - Vector256<float>.Count; x += Vector256<float>.Count)
            {
                var l = Vector256.Min(Vector256.Max(Vector256.Create<float>(logOdds[x..]), -max), max);
                var shared = VectorExpLog.Log(Vector256<float>.One + VectorExpLog.Exp(-Vector256.Abs(l)));
                (weight * (Vector256.Max(-l, Vector256<float>.Zero) + shared)).CopyTo(objectCost[x..]);
                (weight * (Vector256.Max(l, Vector256<float>.Zero) + shared)).CopyTo(backgroundCost[x..]);
            }
        }
        for (; x < n; x++) Costs(start + x, out objectCost[x], out backgroundCost[x]);
    }

    /// <summary>The prior at a coarser scale: the mean log-odds of each factor × factor block (for multilevel solving).</summary>
    internal ObjectPrior Downsample(int factor, int coarseWidth, int coarseHeight)
    {
        var coarse = new float[coarseWidth * coarseHeight];
        for (int py = 0; py < coarseHeight; py++)
            for (int px = 0; px < coarseWidth; px++)
            {
                double sum = 0;
                int count = 0;
                for (int y = py * factor; y < Math.Min(Height, (py + 1) * factor); y++)
                    for (int x = px * factor; x < Math.Min(Width, (px + 1) * factor); x++, count++)
                        sum += Math.Clamp(_logOdds[y * Width + x], -MaxLogOdds, MaxLogOdds);
                coarse[py * coarseWidth + px] = count == 0 ? 0 : (float)(sum / count);
            }
        return new ObjectPrior(coarseWidth, coarseHeight, coarse, Weight);
    }
}
