using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Matting;

public sealed record BorderMattingOptions
{
    /// <summary>Half-width w of the band around the hard contour where alpha becomes soft (Rother et al.: 6).</summary>
    public int BandWidth { get; init; } = 6;
    /// <summary>Side L of the square around each contour point whose pixels give the local colour models (41).</summary>
    public int ColorWindow { get; init; } = 41;
    /// <summary>Levels of the edge centre Δ, spread evenly over [−w/2, w/2] (30).</summary>
    public int CenterLevels { get; init; } = 30;
    /// <summary>Levels of the edge width σ, spread evenly over [<see cref="MinWidth"/>, <see cref="MaxWidth"/>] (10).</summary>
    public int WidthLevels { get; init; } = 10;
    public double MinWidth { get; init; } = 0.25;
    public double MaxWidth { get; init; } = 3;
    /// <summary>Smoothness λ1 of Δ along the contour (50).</summary>
    public double CenterSmoothness { get; init; } = 50;
    /// <summary>Smoothness λ2 of σ along the contour (1000).</summary>
    public double WidthSmoothness { get; init; } = 1000;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <param name="Alpha">Hard mask away from the contour, the fitted sigmoid profile within the band.</param>
/// <param name="Band">The segmentation as a trimap whose unknown region is the band that was softened.</param>
/// <param name="ContourPoints">Points of the hard contour that carry a profile.</param>
public sealed record BorderMattingResult(AlphaMatte Alpha, Trimap Band, int ContourPoints);

/// <summary>
/// Border matting, step 5 of GrabCut (Rother, Kolmogorov &amp; Blake, SIGGRAPH 2004): a soft step along the hard
/// segmentation's contour. Every pixel within w of the contour takes α = sigmoid((r − Δ_t) / σ_t) of its signed
/// distance r to the edge, with (Δ_t, σ_t) of its nearest contour point t. The profile parameters minimise a data
/// term — −log N(z; (1−α)μ_B + αμ_F, (1−α)²Σ_B + α²Σ_F) with colour models taken from definite pixels around t —
/// plus λ1(ΔΔ)² + λ2(Δσ)² between neighbouring contour points, solved exactly by dynamic programming along each
/// contour chain.
/// </summary>
public static class BorderMatting
{
    public static BorderMattingResult Estimate(ColorImage image, Mask segmentation, BorderMattingOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BorderMattingOptions();
        Validate(options);
        ImageGuard.SameSize("segmentation", segmentation.Width, segmentation.Height, image.Width, image.Height);
        if (segmentation.IsEmpty) throw new SegmentationInputException("The segmentation is empty: there is no contour to soften.");
        int w = image.Width, h = image.Height, pixels = w * h;
        var inside = segmentation.Bits;
        var alpha = AlphaMatte.FromMask(segmentation);
        var trimap = new Trimap(w, h, TrimapLabel.Background);
        for (int i = 0; i < pixels; i++) if (inside[i] != 0) trimap.SetIndex(i, TrimapLabel.Foreground);
        var chains = ContourChains(inside, w, h);
        if (chains.Count == 0) return new BorderMattingResult(alpha, trimap, 0); // no edge inside the frame
        var signed = SignedDistance(inside, w, h);
        var isContour = new byte[pixels];
        var pointOf = new int[pixels]; // contour pixel → its contour point (first chain visit wins)
        int points = 0;
        foreach (var chain in chains)
            foreach (int p in chain)
            {
                if (isContour[p] == 0) { isContour[p] = 1; pointOf[p] = points; }
                points++;
            }
        var pointPixel = new int[points];
        { int t = 0; foreach (var chain in chains) foreach (int p in chain) pointPixel[t++] = p; }
        var nearest = PixelMaps.NearestTarget(isContour, w, h);

        // Band pixels grouped by their contour point (counting sort).
        int band = options.BandWidth;
        var start = new int[points + 1];
        for (int i = 0; i < pixels; i++) if (Math.Abs(signed[i]) <= band) start[pointOf[nearest[i]] + 1]++;
        for (int t = 0; t < points; t++) start[t + 1] += start[t];
        var members = new int[start[points]];
        var fill = (int[])start.Clone();
        for (int i = 0; i < pixels; i++) if (Math.Abs(signed[i]) <= band) members[fill[pointOf[nearest[i]]]++] = i;

        var levels = new ProfileLevels(options);
        int states = levels.Count;
        var cost = new float[(long)points * states];
        var global = new GlobalModels(image, signed, band, options);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken };
        Parallel.For(0, (points + 255) / 256, parallel, () => new PointWorkspace(), (block, _, ws) =>
        {
            for (int t = block * 256, end = Math.Min(points, t + 256); t < end; t++)
                DataCosts(image, signed, pointPixel[t], members.AsSpan(start[t], start[t + 1] - start[t]), levels, global, options, ws,
                    cost.AsSpan((int)((long)t * states), states));
            return ws;
        }, _ => { });

        var center = new int[points];
        var width = new int[points];
        int first = 0;
        foreach (var chain in chains)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ProfileSmoothing.Solve(cost.AsSpan((int)((long)first * states), chain.Length * states), chain.Length, levels.Centers, levels.Widths,
                options.CenterSmoothness, options.WidthSmoothness, center.AsSpan(first, chain.Length), width.AsSpan(first, chain.Length));
            first += chain.Length;
        }

        var values = alpha.Values;
        for (int t = 0; t < points; t++)
        {
            double delta = levels.Centers[center[t]], sigma = levels.Widths[width[t]];
            foreach (int i in members.AsSpan(start[t], start[t + 1] - start[t]))
            {
                values[i] = (float)Sigmoid(signed[i], delta, sigma);
                trimap.SetIndex(i, TrimapLabel.Unknown);
            }
        }
        return new BorderMattingResult(alpha, trimap, points);
    }

    private static void Validate(BorderMattingOptions o)
    {
        if (o.BandWidth < 1) throw new ArgumentOutOfRangeException(nameof(o.BandWidth), o.BandWidth, "The band must be at least one pixel wide.");
        if (o.ColorWindow < 3) throw new ArgumentOutOfRangeException(nameof(o.ColorWindow));
        if (o.CenterLevels < 1 || o.WidthLevels < 1 || o.CenterLevels * o.WidthLevels > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(o.CenterLevels), "Need 1 to 65535 profile states (centre levels × width levels).");
        if (!(o.MinWidth > 0) || o.MaxWidth < o.MinWidth) throw new ArgumentOutOfRangeException(nameof(o.MinWidth));
        if (o.CenterSmoothness < 0 || o.WidthSmoothness < 0) throw new ArgumentOutOfRangeException(nameof(o.CenterSmoothness));
    }

    internal static double Sigmoid(double r, double delta, double sigma) => 1 / (1 + Math.Exp(-(r - delta) / sigma));

    /// <summary>Contour chains with points on the image border removed (the frame is not an edge of the object).</summary>
    private static List<int[]> ContourChains(ReadOnlySpan<byte> inside, int w, int h)
    {
        var result = new List<int[]>();
        var current = new List<int>();
        foreach (var chain in PixelMaps.BoundaryChains(inside, w, h))
        {
            foreach (int p in chain)
            {
                if (TouchesBackground(inside, p, w, h)) { current.Add(p); continue; }
                if (current.Count > 0) { result.Add(current.ToArray()); current.Clear(); }
            }
            if (current.Count > 0) { result.Add(current.ToArray()); current.Clear(); }
        }
        return result;
    }

    private static bool TouchesBackground(ReadOnlySpan<byte> inside, int p, int w, int h)
    {
        int x = p % w, y = p / w;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                int nx = x + dx, ny = y + dy;
                if ((uint)nx < (uint)w && (uint)ny < (uint)h && inside[ny * w + nx] == 0) return true;
            }
        return false;
    }

    /// <summary>Distance to the edge between object and background: positive inside, negative outside, ±½ next to it.</summary>
    private static float[] SignedDistance(ReadOnlySpan<byte> inside, int w, int h)
    {
        var outside = new byte[inside.Length];
        for (int i = 0; i < inside.Length; i++) outside[i] = inside[i] == 0 ? (byte)1 : (byte)0;
        var toBackground = PixelMaps.DistanceToTargets(outside, w, h);
        var toObject = PixelMaps.DistanceToTargets(inside, w, h);
        var signed = new float[inside.Length];
        for (int i = 0; i < signed.Length; i++)
            signed[i] = inside[i] != 0 ? toBackground[i] - 0.5f : -(toObject[i] - 0.5f);
        return signed;
    }

    /// <summary>The discrete (Δ, σ) grid; state s = Δ index · widths + σ index.</summary>
    private sealed class ProfileLevels
    {
        public readonly double[] Centers, Widths;
        public int Count => Centers.Length * Widths.Length;

        public ProfileLevels(BorderMattingOptions o)
        {
            double half = o.BandWidth / 2.0;
            Centers = new double[o.CenterLevels];
            for (int i = 0; i < Centers.Length; i++) Centers[i] = o.CenterLevels == 1 ? 0 : -half + 2 * half * i / (o.CenterLevels - 1);
            Widths = new double[o.WidthLevels];
            for (int i = 0; i < Widths.Length; i++) Widths[i] = o.WidthLevels == 1 ? o.MinWidth : o.MinWidth + (o.MaxWidth - o.MinWidth) * i / (o.WidthLevels - 1);
        }
    }

    /// <summary>Whole-image colour models of the definite object and background: used where a window has too few.</summary>
    private sealed class GlobalModels
    {
        public readonly GaussianStatistics Object, Background;

        public GlobalModels(ColorImage image, float[] signed, int band, BorderMattingOptions options)
        {
            int w = image.Width, h = image.Height;
            for (int y = 0; y < h; y++)
            {
                var row = image.Row(y);
                for (int x = 0; x < w; x++)
                {
                    float r = signed[y * w + x];
                    if (r > band) Object.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
                    else if (r < -band) Background.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
                }
            }
            // Thin objects or backgrounds with no definite pixel at all: fall back to everything on that side.
            if (Object.Weight < 2 || Background.Weight < 2)
            {
                var o = new GaussianStatistics();
                var b = new GaussianStatistics();
                for (int y = 0; y < h; y++)
                {
                    var row = image.Row(y);
                    for (int x = 0; x < w; x++)
                    {
                        if (signed[y * w + x] > 0) o.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
                        else b.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
                    }
                }
                if (Object.Weight < 2) Object = o;
                if (Background.Weight < 2) Background = b;
            }
        }
    }

    private sealed class PointWorkspace
    {
        /// <summary>α quantised to this many steps for the per-α Gaussian (inverse covariance, log-determinant).</summary>
        public const int AlphaSteps = 64;
        public readonly ColorGaussian[] ByAlpha = new ColorGaussian[AlphaSteps + 1];
    }

    private const double Ridge = 1e-4;

    /// <summary>Σ over the contour point's band pixels of −log N(z; μ(α), Σ(α)), for every (Δ, σ) state.</summary>
    private static void DataCosts(ColorImage image, float[] signed, int contourPixel, ReadOnlySpan<int> band, ProfileLevels levels, GlobalModels global,
        BorderMattingOptions options, PointWorkspace ws, Span<float> cost)
    {
        cost.Clear();
        if (band.IsEmpty) return;
        int w = image.Width, h = image.Height, half = options.ColorWindow / 2, cx = contourPixel % w, cy = contourPixel / w;
        var fg = new GaussianStatistics();
        var bg = new GaussianStatistics();
        for (int y = Math.Max(0, cy - half); y <= Math.Min(h - 1, cy + half); y++)
        {
            var row = image.Row(y);
            for (int x = Math.Max(0, cx - half); x <= Math.Min(w - 1, cx + half); x++)
            {
                float r = signed[y * w + x];
                if (r > options.BandWidth) fg.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
                else if (r < -options.BandWidth) bg.Add(row[4 * x + 2] / 255f, row[4 * x + 1] / 255f, row[4 * x] / 255f);
            }
        }
        if (fg.Weight < 10) fg = global.Object;
        if (bg.Weight < 10) bg = global.Background;
        var f = ColorGaussian.FromStatistics(fg, 1, Ridge);
        var b = ColorGaussian.FromStatistics(bg, 1, Ridge);
        for (int k = 0; k <= PointWorkspace.AlphaSteps; k++)
        {
            double a = (double)k / PointWorkspace.AlphaSteps, ia = 1 - a;
            var cf = f.Covariance;
            var cb = b.Covariance;
            var mixed = new Covariance3(
                ia * ia * cb.C00 + a * a * cf.C00, ia * ia * cb.C01 + a * a * cf.C01, ia * ia * cb.C02 + a * a * cf.C02,
                ia * ia * cb.C11 + a * a * cf.C11, ia * ia * cb.C12 + a * a * cf.C12, ia * ia * cb.C22 + a * a * cf.C22).AddToDiagonal(Ridge);
            ws.ByAlpha[k] = new ColorGaussian(1, ia * b.Mean0 + a * f.Mean0, ia * b.Mean1 + a * f.Mean1, ia * b.Mean2 + a * f.Mean2, mixed);
        }
        int widths = levels.Widths.Length;
        foreach (int i in band)
        {
            var row = image.Row(i / w);
            int x = i % w;
            double z0 = row[4 * x + 2] / 255.0, z1 = row[4 * x + 1] / 255.0, z2 = row[4 * x] / 255.0, r = signed[i];
            for (int c = 0; c < levels.Centers.Length; c++)
                for (int s = 0; s < widths; s++)
                {
                    int k = (int)Math.Round(Sigmoid(r, levels.Centers[c], levels.Widths[s]) * PointWorkspace.AlphaSteps);
                    cost[c * widths + s] += (float)(-ws.ByAlpha[k].LogDensity(z0, z1, z2));
                }
        }
    }
}

/// <summary>
/// Exact minimisation of Σ_t D_t(Δ_t, σ_t) + λ1(Δ_t − Δ_{t+1})² + λ2(σ_t − σ_{t+1})² along a chain by dynamic
/// programming. The pairwise term is separable, so each step minimises over Δ' and then over σ' (O(S·(C + W))
/// per point instead of O(S²)).
/// </summary>
internal static class ProfileSmoothing
{
    /// <param name="cost">points × (centers · widths) data costs, state = center · widths + width.</param>
    public static void Solve(ReadOnlySpan<float> cost, int points, double[] centers, double[] widths, double lambdaCenter, double lambdaWidth,
        Span<int> centerOut, Span<int> widthOut)
    {
        int nc = centers.Length, nw = widths.Length, states = nc * nw;
        var total = new double[states];
        var partial = new double[states];
        var partialArg = new int[states];        // best previous Δ index for (Δ, σ')
        var back = new ushort[(long)points * states]; // best previous state for each state (the options cap states at 65535)
        for (int s = 0; s < states; s++) total[s] = cost[s];
        for (int t = 1; t < points; t++)
        {
            // partial(Δ, σ') = min over Δ' of total(Δ', σ') + λ1(Δ − Δ')²
            for (int c = 0; c < nc; c++)
                for (int sp = 0; sp < nw; sp++)
                {
                    double best = double.PositiveInfinity;
                    int arg = 0;
                    for (int cp = 0; cp < nc; cp++)
                    {
                        double d = centers[c] - centers[cp], v = total[cp * nw + sp] + lambdaCenter * d * d;
                        if (v < best) { best = v; arg = cp; }
                    }
                    partial[c * nw + sp] = best;
                    partialArg[c * nw + sp] = arg;
                }
            // total(Δ, σ) = D_t(Δ, σ) + min over σ' of partial(Δ, σ') + λ2(σ − σ')²
            var row = back.AsSpan((int)((long)t * states), states);
            for (int c = 0; c < nc; c++)
                for (int s = 0; s < nw; s++)
                {
                    double best = double.PositiveInfinity;
                    int arg = 0;
                    for (int sp = 0; sp < nw; sp++)
                    {
                        double d = widths[s] - widths[sp], v = partial[c * nw + sp] + lambdaWidth * d * d;
                        if (v < best) { best = v; arg = sp; }
                    }
                    total[c * nw + s] = best + cost[t * states + c * nw + s];
                    row[c * nw + s] = (ushort)(partialArg[c * nw + arg] * nw + arg);
                }
        }
        int state = 0;
        for (int s = 1; s < states; s++) if (total[s] < total[state]) state = s;
        for (int t = points - 1; t >= 0; t--)
        {
            centerOut[t] = state / nw;
            widthOut[t] = state % nw;
            if (t > 0) state = back[(long)t * states + state];
        }
    }
}
