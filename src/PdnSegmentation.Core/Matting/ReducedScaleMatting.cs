using PdnSegmentation.Imaging;
using PdnSegmentation.Parallelism;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Matting;

/// <summary>
/// A large photo's matte from a solve at a reduced scale. The photo and its trimap are reduced by an integer factor f
/// (each f×f block's mean colour; a block is known only where all its pixels carry the same known label), the method
/// solves the small problem, and the matte comes back to full size through the local linear model that closed-form
/// matting rests on (Levin, Lischinski &amp; Weiss 2008, §3: in a small window α ≈ aᵀI + b): per reduced pixel the
/// least-squares a, b over its 3×3 window (He, Sun &amp; Tang's guided filter with α as the input and the colours as the
/// guide), averaged over the windows that hold it, interpolated bilinearly and applied to every full-size unknown
/// pixel's own colour (<see cref="LocalLinearUpsampling"/>, which also brings object models' maps to a photo's size).
/// Edges and hair follow the full-size colours, not the small solve's pixels.
/// <para>
/// Measured against the full-size solve on the alphamatting.com training images at their own size (real detail, mean
/// SAD over 18 images; closed-form): f = 2 gives 5.92 against 5.83 on trimap1 (+1.5 %) and 7.92 against 8.33 on
/// trimap2 (−4.9 %), f = 3 5.94 / 7.98 (+1.8 / −4.2 %), with the gradient error lower on both — the small solve's
/// windows span 2–3 times the pixels, which suits soft regions. The solve's cost falls with f² (docs/benchmarks.md,
/// "Large photos and scribbles").
/// </para>
/// </summary>
public static class ReducedScaleMatting
{
    /// <summary>
    /// Unknown pixels above which closed-form and information flow solve at a reduced scale: a full-size closed-form
    /// solve of this size takes about 2 s on two cores (the lemur at 4 MP, 516 000 unknowns: 2.4 s with its foreground
    /// colours). The alphamatting.com images (at most 219 000 unknowns) and photos up to about 3 MP with a painted band
    /// keep the full-size solve.
    /// </summary>
    public const long DefaultFullScaleUnknowns = 400_000;

    /// <summary>
    /// The largest reduction. f = 4 on the alphamatting images: SAD +5.1 % / −1.6 %, but the mean squared error 5–7 %
    /// above the full-size solve's on both trimaps (f = 2 within ±5 %, f = 3 within 1 %): not taken. Against the
    /// segmentation sets' hard masks (band and lasso trimaps at their small native size) a reduction costs more — mean SAD
    /// +4.7 to +9.3 % at f = 2, +10.7 to +15.7 % at f = 3 — so 3 is the speed's price where it is needed: capped at 2,
    /// alphamatting GT04 at 12 MP took 7.9 s instead of 4.6 s and the 24 MP Refine Matte effect 9.2 s instead of 6.3 s.
    /// A problem still too large at f = 3 is solved there, slower.
    /// </summary>
    public const int MaxFactor = 3;

    /// <summary>Regulariser of the coefficients' fit (colours in 0..1): 1e-7, 1e-6 and 1e-5 gave mean SADs within 0.3 %.</summary>
    internal const double Epsilon = 1e-5;

    /// <summary>
    /// Trimaps with more of the photo unknown than this are strokes, not a painted band (Levin's scribbles): the matte
    /// is propagated across the whole photo rather than refined along an edge, and is solved at full size. Reduced,
    /// the lemur-sized scribble check (`bench matte-scale --scribbles`, 97 % unknown) moved 1.7/255 from PyMatting's
    /// full-size answer on average, against 0.03/255 at full size.
    /// </summary>
    public const double MaxUnknownFraction = 0.5;

    /// <summary>
    /// The reduction for this trimap: 1 (full size) up to <paramref name="fullScaleUnknowns"/> unknown pixels, else the
    /// smallest factor whose reduced trimap has at most that many (at most <see cref="MaxFactor"/>). Scribble trimaps
    /// (<see cref="MaxUnknownFraction"/>) stay at full size, and a factor that would lose more than half of either
    /// known region's pixels is never taken (strokes narrower than a block vanish when reduced).
    /// </summary>
    public static int Factor(Trimap trimap, long fullScaleUnknowns) => Plan(trimap, fullScaleUnknowns).Factor;

    /// <summary>The factor (<see cref="Factor"/>) and, when it is above 1, the trimap reduced by it.</summary>
    private static (int Factor, Trimap? Reduced) Plan(Trimap trimap, long fullScaleUnknowns)
    {
        ArgumentNullException.ThrowIfNull(trimap);
        long unknown = trimap.Count(TrimapLabel.Unknown);
        if (unknown <= fullScaleUnknowns || unknown > MaxUnknownFraction * trimap.Width * trimap.Height) return (1, null);
        long foreground = trimap.Count(TrimapLabel.Foreground), background = trimap.Count(TrimapLabel.Background);
        (int Factor, Trimap? Reduced) chosen = (1, null);
        for (int factor = 2; factor <= MaxFactor; factor++)
        {
            var reduced = Reduce(trimap, factor);
            long area = (long)factor * factor;
            if (2 * area * reduced.Count(TrimapLabel.Foreground) < foreground || 2 * area * reduced.Count(TrimapLabel.Background) < background) break;
            chosen = (factor, reduced);
            if (reduced.Count(TrimapLabel.Unknown) <= fullScaleUnknowns) break;
        }
        return chosen;
    }

    /// <summary>
    /// What every reducible method does with a trimap: <paramref name="solve"/> on the photo itself up to
    /// <paramref name="fullScaleUnknowns"/> unknown pixels (and for the trimaps <see cref="Factor"/> keeps at full size),
    /// else on the reduced photo, brought back by the local linear model. Also the factor used (1: full size).
    /// </summary>
    internal static (AlphaMatte Alpha, int Factor) Solve(ColorImage image, Trimap trimap, long fullScaleUnknowns,
        Func<ColorImage, Trimap, IProgress<double>, AlphaMatte> solve, int parallelism, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var (factor, reduced) = Plan(trimap, fullScaleUnknowns);
        return reduced is null
            ? (solve(image, trimap, ProgressScope.For(progress)), 1)
            : (EstimateReduced(image, trimap, factor, reduced, solve, parallelism, progress, cancellationToken), factor);
    }

    /// <summary>
    /// The matte of <paramref name="image"/> by <paramref name="solve"/> run on the photo and trimap reduced by
    /// <paramref name="factor"/>, brought back to full size by the local linear model. Known pixels keep their label's
    /// value exactly.
    /// </summary>
    /// <param name="solve">The method on the reduced problem: (photo, trimap, progress) → its matte.</param>
    public static AlphaMatte Estimate(ColorImage image, Trimap trimap, int factor, Func<ColorImage, Trimap, IProgress<double>, AlphaMatte> solve,
        int parallelism = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(trimap);
        ArgumentNullException.ThrowIfNull(solve);
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 2);
        ImageGuard.SameSize("trimap", trimap.Width, trimap.Height, image.Width, image.Height);
        return EstimateReduced(image, trimap, factor, Reduce(trimap, factor), solve, parallelism, progress, cancellationToken);
    }

    private static AlphaMatte EstimateReduced(ColorImage image, Trimap trimap, int factor, Trimap smallTrimap, Func<ColorImage, Trimap, IProgress<double>, AlphaMatte> solve,
        int parallelism, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        if (parallelism <= 0) parallelism = Environment.ProcessorCount;
        var scope = ProgressScope.For(progress);
        var smallImage = Reduce(image, factor, parallelism);
        cancellationToken.ThrowIfCancellationRequested();
        var smallAlpha = solve(smallImage, smallTrimap, scope.Slice(0, 0.95));
        ImageGuard.SameSize("reduced matte", smallAlpha.Width, smallAlpha.Height, smallImage.Width, smallImage.Height);
        cancellationToken.ThrowIfCancellationRequested();
        var alpha = Upsample(image, trimap, smallImage, smallAlpha, factor, parallelism, cancellationToken);
        scope.Report(1);
        return alpha;
    }

    /// <summary>Each f×f block's mean colour (blocks at the right and bottom edges hold what is left), opaque.</summary>
    /// <remarks>
    /// Hand-written rather than OpenCV's INTER_AREA: that spreads a width not divisible by f over fractional blocks, and
    /// the trimap's reduction and the upsampling must see the same whole blocks.
    /// </remarks>
    internal static ColorImage Reduce(ColorImage image, int factor, int parallelism)
    {
        int width = (image.Width + factor - 1) / factor, height = (image.Height + factor - 1) / factor;
        var reduced = new ColorImage(width, height);
        RowChunks.Run(height, parallelism, CancellationToken.None, (_, first, end) =>
        {
            Span<int> sums = stackalloc int[3];
            for (int y = first; y < end; y++)
            {
                int y0 = y * factor, y1 = Math.Min(image.Height, y0 + factor);
                var target = reduced.Row(y);
                for (int x = 0; x < width; x++)
                {
                    int x0 = x * factor, x1 = Math.Min(image.Width, x0 + factor);
                    sums.Clear();
                    for (int sy = y0; sy < y1; sy++)
                    {
                        var row = image.Row(sy);
                        for (int sx = x0; sx < x1; sx++)
                        {
                            sums[0] += row[4 * sx];
                            sums[1] += row[4 * sx + 1];
                            sums[2] += row[4 * sx + 2];
                        }
                    }
                    int count = (y1 - y0) * (x1 - x0);
                    for (int c = 0; c < 3; c++) target[4 * x + c] = (byte)((sums[c] + count / 2) / count);
                    target[4 * x + 3] = 255;
                }
            }
        });
        return reduced;
    }

    /// <summary>Each f×f block's label where all its pixels share one, unknown where they do not.</summary>
    internal static Trimap Reduce(Trimap trimap, int factor)
    {
        int width = (trimap.Width + factor - 1) / factor, height = (trimap.Height + factor - 1) / factor;
        var reduced = new Trimap(width, height);
        var labels = trimap.LabelArray;
        int fullWidth = trimap.Width;
        for (int y = 0; y < height; y++)
        {
            int y0 = y * factor, y1 = Math.Min(trimap.Height, y0 + factor);
            for (int x = 0; x < width; x++)
            {
                int x0 = x * factor, x1 = Math.Min(fullWidth, x0 + factor);
                byte first = labels[y0 * fullWidth + x0];
                bool same = first != (byte)TrimapLabel.Unknown;
                for (int sy = y0; sy < y1 && same; sy++)
                    same = labels.AsSpan(sy * fullWidth + x0, x1 - x0).IndexOfAnyExcept(first) < 0;
                if (same) reduced.SetIndex(y * width + x, (TrimapLabel)first);
            }
        }
        return reduced;
    }

    /// <summary>
    /// The reduced pixels whose averaged coefficients the upsampling reads: the blocks holding unknown pixels and one
    /// more on each side (the bilinear neighbours), as a rectangle in the reduced image.
    /// </summary>
    private static PixelRect CoefficientRegion(Trimap trimap, int factor, int width, int height)
    {
        var labels = trimap.LabelArray;
        int fullWidth = trimap.Width;
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < trimap.Height; y++)
        {
            var row = labels.AsSpan(y * fullWidth, fullWidth);
            int first = row.IndexOf((byte)TrimapLabel.Unknown);
            if (first < 0) continue;
            int last = row.LastIndexOf((byte)TrimapLabel.Unknown);
            minY = Math.Min(minY, y);
            maxY = y;
            minX = Math.Min(minX, first);
            maxX = Math.Max(maxX, last);
        }
        if (maxY < 0) return new PixelRect(0, 0, 0, 0);
        int left = Math.Max(0, minX / factor - 1), top = Math.Max(0, minY / factor - 1);
        int right = Math.Min(width, maxX / factor + 2), bottom = Math.Min(height, maxY / factor + 2);
        return new PixelRect(left, top, right - left, bottom - top);
    }

    /// <summary>
    /// The full-size matte: known pixels 0 or 1, each unknown pixel aᵀI + b with its own colour and the coefficients
    /// fitted on the reduced matte over its 3×3 windows, interpolated bilinearly between the reduced pixels' centres,
    /// clamped to 0..1 (<see cref="LocalLinearUpsampling"/>).
    /// </summary>
    private static AlphaMatte Upsample(ColorImage image, Trimap trimap, ColorImage smallImage, AlphaMatte smallAlpha, int factor, int parallelism,
        CancellationToken cancellationToken)
    {
        var alpha = new AlphaMatte(image.Width, image.Height);
        var matte = alpha.ValueArray;
        var labels = trimap.LabelArray;
        int width = image.Width;
        RowChunks.Run(image.Height, parallelism, cancellationToken, (_, first, end) =>
        {
            for (int i = first * width; i < end * width; i++)
                if (labels[i] == (byte)TrimapLabel.Foreground) matte[i] = 1;
        });
        var region = CoefficientRegion(trimap, factor, smallImage.Width, smallImage.Height);
        if (region.IsEmpty) return alpha; // nothing unknown
        var coefficients = LocalLinearUpsampling.Coefficients(smallImage, smallAlpha.ValueArray, 1, Epsilon, region, parallelism, cancellationToken);
        LocalLinearUpsampling.Apply(image, coefficients, region, factor, factor, matte, parallelism, cancellationToken, labels, (byte)TrimapLabel.Unknown);
        return alpha;
    }
}
