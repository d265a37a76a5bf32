using System.Collections.Concurrent;
using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;
using PdnSegmentation.Progress;
using PdnSegmentation.Solvers;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

public sealed record BayesianMattingOptions
{
    /// <summary>σ_C: the camera noise of the compositing equation, in colour units of 0..1.</summary>
    public double ColorSigma { get; init; } = 0.01;
    /// <summary>Radius of the circular sample window (Chuang et al. use a 25 × 25 neighbourhood).</summary>
    public int WindowRadius { get; init; } = 12;
    /// <summary>The window grows (doubling) up to this radius until it holds enough samples of each kind.</summary>
    public int MaxWindowRadius { get; init; } = 48;
    /// <summary>σ of the spatial Gaussian falloff of sample weights, in pixels (Chuang et al.: 8).</summary>
    public double SpatialSigma { get; init; } = 8;
    /// <summary>Fewest foreground (and background) samples a window must hold before it is used.</summary>
    public int MinSamples { get; init; } = 10;
    public int MaxClusters { get; init; } = 4;
    /// <summary>Orchard–Bouman stops splitting once no cluster's principal variance exceeds this (colour units²).</summary>
    public double MinSplitVariance { get; init; } = 0.002;
    /// <summary>Added to every cluster covariance's diagonal, so one-colour clusters stay invertible.</summary>
    public double CovarianceRidge { get; init; } = 1e-5;
    public int MaxIterations { get; init; } = 50;
    /// <summary>The F, B, α alternation stops when the log-likelihood changes by less than this.</summary>
    public double MinLikelihoodChange { get; init; } = 1e-6;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <param name="Alpha">The matte.</param>
/// <param name="Foreground">The foreground colour found with each pixel's α (straight alpha = the matte).</param>
/// <param name="WidenedWindows">Unknown pixels whose window had to grow beyond <see cref="BayesianMattingOptions.WindowRadius"/>.</param>
/// <param name="GlobalFallbacks">Unknown pixels with no sample of one kind even in the largest window, solved against the whole trimap's colours of that kind.</param>
public sealed record BayesianMattingResult(AlphaMatte Alpha, ColorImage Foreground, int WidenedWindows, int GlobalFallbacks);

/// <summary>
/// Bayesian matting (Chuang, Curless, Salesin &amp; Szeliski, CVPR 2001). Unknown pixels are solved from the known
/// regions inward, ring by ring of distance to the nearest known pixel. Each one gathers known and already-solved
/// pixels in a circular window, weighted by α² (foreground) or (1−α)² (background) times a spatial Gaussian,
/// clusters each set into oriented Gaussians (weighted Orchard–Bouman), and for every foreground/background cluster
/// pair alternates the 6×6 linear solve for F and B with α = (C−B)·(F−B)/‖F−B‖²; the pair of highest likelihood wins.
/// A pixel only uses pixels of earlier rings, so a ring's pixels are independent: they run in parallel and the
/// result does not depend on the thread count.
/// </summary>
public static class BayesianMatting
{
    public static BayesianMattingResult Estimate(ColorImage image, Trimap trimap, BayesianMattingOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new BayesianMattingOptions();
        Validate(options);
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        var state = new State(image, trimap, options);
        var scope = ProgressScope.For(progress);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken };
        var workspaces = new ConcurrentBag<Workspace>();
        int done = 0;
        for (int ring = 1; ring < state.RingStart.Length - 1; ring++)
        {
            int from = state.RingStart[ring], to = state.RingStart[ring + 1];
            if (from == to) continue;
            cancellationToken.ThrowIfCancellationRequested();
            Parallel.For(from, to, parallel,
                () => workspaces.TryTake(out var ws) ? ws : new Workspace(options),
                (k, _, ws) => { state.Solve(state.Order[k], ring, ws); return ws; },
                workspaces.Add);
            done += to - from;
            scope.Report((double)done / state.Order.Length);
        }
        int widened = 0, fallbacks = 0;
        foreach (var ws in workspaces) { widened += ws.Widened; fallbacks += ws.Fallbacks; }
        return new BayesianMattingResult(state.AlphaMatte(), state.ForegroundImage(), widened, fallbacks);
    }

    private static void Validate(BayesianMattingOptions o)
    {
        if (!(o.ColorSigma > 0)) throw new ArgumentOutOfRangeException(nameof(o.ColorSigma), o.ColorSigma, "σ_C must be positive.");
        if (o.WindowRadius < 1 || o.MaxWindowRadius < o.WindowRadius)
            throw new ArgumentOutOfRangeException(nameof(o.WindowRadius), "Need 1 ≤ WindowRadius ≤ MaxWindowRadius.");
        if (!(o.SpatialSigma > 0)) throw new ArgumentOutOfRangeException(nameof(o.SpatialSigma));
        if (o.MaxClusters < 1) throw new ArgumentOutOfRangeException(nameof(o.MaxClusters));
        if (o.MinSamples < 1) throw new ArgumentOutOfRangeException(nameof(o.MinSamples));
        if (o.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(o.MaxIterations));
    }

    /// <summary>Per-thread buffers: after the first ring, solving a pixel allocates nothing.</summary>
    private sealed class Workspace
    {
        public readonly float[] ForegroundSamples, BackgroundSamples, ForegroundWeights, BackgroundWeights;
        public readonly int[] Labels;
        public readonly GaussianStatistics[] Statistics;
        public readonly ColorGaussian[] ForegroundClusters, BackgroundClusters;
        public int Widened, Fallbacks;

        public Workspace(BayesianMattingOptions options)
        {
            int d = 2 * options.MaxWindowRadius + 1, capacity = d * d;
            ForegroundSamples = new float[3 * capacity];
            BackgroundSamples = new float[3 * capacity];
            ForegroundWeights = new float[capacity];
            BackgroundWeights = new float[capacity];
            Labels = new int[capacity];
            Statistics = new GaussianStatistics[options.MaxClusters];
            ForegroundClusters = new ColorGaussian[options.MaxClusters];
            BackgroundClusters = new ColorGaussian[options.MaxClusters];
        }
    }

    private sealed class State
    {
        private readonly ColorImage _image;
        private readonly BayesianMattingOptions _options;
        private readonly int _width, _height;
        private readonly float[] _alpha;
        /// <summary>Per pixel: −1 when known, else its position in <see cref="Order"/>.</summary>
        private readonly int[] _unknownIndex;
        /// <summary>Per unknown (in order): its ring; pixels of ring r use only pixels of rings &lt; r.</summary>
        private readonly int[] _ring;
        private readonly float[] _foreground, _background;
        /// <summary>Spatial Gaussian by offset, over the largest window.</summary>
        private readonly float[] _spatial;
        private readonly ColorGaussian[] _globalForeground, _globalBackground;
        private readonly double _inverseNoise;

        public readonly int[] Order;
        public readonly int[] RingStart;

        public State(ColorImage image, Trimap trimap, BayesianMattingOptions options)
        {
            _image = image;
            _options = options;
            _width = image.Width;
            _height = image.Height;
            int pixels = _width * _height;
            var labels = trimap.Labels;
            _alpha = new float[pixels];
            var known = new byte[pixels];
            int unknownCount = 0;
            for (int i = 0; i < pixels; i++)
            {
                byte l = labels[i];
                if (l == (byte)TrimapLabel.Unknown) { unknownCount++; continue; }
                known[i] = 1;
                _alpha[i] = l == (byte)TrimapLabel.Foreground ? 1 : 0;
            }

            // Onion peeling: rings of whole-pixel distance to the nearest known pixel (counting sort by ring).
            var distance = PixelMaps.DistanceToTargets(known, _width, _height);
            int maxRing = 1;
            for (int i = 0; i < pixels; i++) if (known[i] == 0) maxRing = Math.Max(maxRing, RingOf(distance[i]));
            RingStart = new int[maxRing + 2];
            for (int i = 0; i < pixels; i++) if (known[i] == 0) RingStart[RingOf(distance[i]) + 1]++;
            for (int r = 1; r < RingStart.Length; r++) RingStart[r] += RingStart[r - 1];
            Order = new int[unknownCount];
            _ring = new int[unknownCount];
            _unknownIndex = new int[pixels];
            var next = (int[])RingStart.Clone();
            for (int i = 0; i < pixels; i++)
            {
                if (known[i] != 0) { _unknownIndex[i] = -1; continue; }
                int r = RingOf(distance[i]), k = next[r]++;
                Order[k] = i;
                _ring[k] = r;
                _unknownIndex[i] = k;
            }
            _foreground = new float[3 * unknownCount];
            _background = new float[3 * unknownCount];

            int rMax = options.MaxWindowRadius, d = 2 * rMax + 1;
            _spatial = new float[d * d];
            double twoSigma2 = 2 * options.SpatialSigma * options.SpatialSigma;
            for (int dy = -rMax; dy <= rMax; dy++)
                for (int dx = -rMax; dx <= rMax; dx++)
                    _spatial[(dy + rMax) * d + dx + rMax] = (float)Math.Exp(-(dx * dx + dy * dy) / twoSigma2);
            _inverseNoise = 1 / (options.ColorSigma * options.ColorSigma);
            _globalForeground = GlobalClusters(labels, TrimapLabel.Foreground);
            _globalBackground = GlobalClusters(labels, TrimapLabel.Background);
        }

        private static int RingOf(float distance) => Math.Max(1, (int)MathF.Ceiling(distance - 1e-4f));

        /// <summary>Clusters of all definite pixels of one kind (a strided sample): the last resort for a pixel far from any.</summary>
        private ColorGaussian[] GlobalClusters(ReadOnlySpan<byte> labels, TrimapLabel label)
        {
            const int maxSamples = 20_000;
            int count = labels.Count((byte)label), stride = Math.Max(1, count / maxSamples), taken = 0, seen = 0;
            var samples = new float[3 * Math.Min(count, maxSamples + 1)];
            for (int i = 0; i < labels.Length && taken < samples.Length / 3; i++)
            {
                if (labels[i] != (byte)label || seen++ % stride != 0) continue;
                ReadColor(i, out samples[3 * taken], out samples[3 * taken + 1], out samples[3 * taken + 2]);
                taken++;
            }
            var stats = new GaussianStatistics[_options.MaxClusters];
            int made = OrchardBouman.Cluster(samples.AsSpan(0, 3 * taken), default, _options.MaxClusters, _options.MinSplitVariance, new int[taken], stats);
            return ToGaussians(stats.AsSpan(0, made), new ColorGaussian[made], _options.CovarianceRidge);
        }

        private static ColorGaussian[] ToGaussians(ReadOnlySpan<GaussianStatistics> stats, ColorGaussian[] into, double ridge)
        {
            for (int c = 0; c < stats.Length; c++) into[c] = ColorGaussian.FromStatistics(stats[c], 1, ridge);
            return into;
        }

        private void ReadColor(int pixel, out float r, out float g, out float b)
        {
            int x = pixel % _width, y = pixel / _width;
            var row = _image.Row(y);
            const float scale = 1f / 255f;
            b = row[4 * x] * scale;
            g = row[4 * x + 1] * scale;
            r = row[4 * x + 2] * scale;
        }

        public void Solve(int pixel, int ring, Workspace ws)
        {
            int x = pixel % _width, y = pixel / _width;
            ReadColor(pixel, out float cr, out float cg, out float cb);
            int radius = _options.WindowRadius, nF, nB;
            double meanAlpha;
            bool widened = false;
            while (true)
            {
                (nF, nB, meanAlpha) = Gather(x, y, radius, ring, ws);
                if ((nF >= _options.MinSamples && nB >= _options.MinSamples) || radius >= _options.MaxWindowRadius) break;
                radius = Math.Min(2 * radius, _options.MaxWindowRadius);
                widened = true;
            }
            if (widened) ws.Widened++;
            if (nF == 0 || nB == 0) ws.Fallbacks++;
            ReadOnlySpan<ColorGaussian> fg = nF > 0 ? Cluster(ws.ForegroundSamples, ws.ForegroundWeights, nF, ws, ws.ForegroundClusters) : _globalForeground;
            ReadOnlySpan<ColorGaussian> bg = nB > 0 ? Cluster(ws.BackgroundSamples, ws.BackgroundWeights, nB, ws, ws.BackgroundClusters) : _globalBackground;

            Span<double> system = stackalloc double[42];
            var best = new PairSolution { Likelihood = double.NegativeInfinity };
            for (int i = 0; i < fg.Length; i++)
            {
                for (int j = 0; j < bg.Length; j++)
                {
                    var candidate = SolvePair(fg[i], bg[j], cr, cg, cb, meanAlpha, system);
                    if (candidate.Likelihood > best.Likelihood) best = candidate;
                }
            }
            int u = _unknownIndex[pixel];
            _alpha[pixel] = (float)best.Alpha;
            _foreground[3 * u] = (float)best.F0; _foreground[3 * u + 1] = (float)best.F1; _foreground[3 * u + 2] = (float)best.F2;
            _background[3 * u] = (float)best.B0; _background[3 * u + 1] = (float)best.B1; _background[3 * u + 2] = (float)best.B2;
        }

        /// <summary>
        /// Collects the window's foreground and background samples (colour and weight α²g or (1−α)²g) from known
        /// pixels and pixels of earlier rings; returns the counts and the g-weighted mean α (the starting α).
        /// </summary>
        private (int Foreground, int Background, double MeanAlpha) Gather(int x, int y, int radius, int ring, Workspace ws)
        {
            int rMax = _options.MaxWindowRadius, d = 2 * rMax + 1, r2 = radius * radius;
            int nF = 0, nB = 0;
            double alphaSum = 0, weightSum = 0;
            const float scale = 1f / 255f, minWeight = 1e-8f;
            int y0 = Math.Max(0, y - radius), y1 = Math.Min(_height - 1, y + radius);
            for (int sy = y0; sy <= y1; sy++)
            {
                int dy = sy - y, halfWidth = (int)Math.Sqrt(r2 - dy * dy);
                int x0 = Math.Max(0, x - halfWidth), x1 = Math.Min(_width - 1, x + halfWidth);
                var row = _image.Row(sy);
                int spatialRow = (dy + rMax) * d + rMax - x;
                for (int sx = x0; sx <= x1; sx++)
                {
                    int j = sy * _width + sx, u = _unknownIndex[j];
                    if (u >= 0 && _ring[u] >= ring) continue; // not solved before this ring
                    float g = _spatial[spatialRow + sx], a = _alpha[j];
                    alphaSum += g * a;
                    weightSum += g;
                    float wf = a * a * g, wb = (1 - a) * (1 - a) * g;
                    if (wf > minWeight)
                    {
                        if (u < 0) { ws.ForegroundSamples[3 * nF] = row[4 * sx + 2] * scale; ws.ForegroundSamples[3 * nF + 1] = row[4 * sx + 1] * scale; ws.ForegroundSamples[3 * nF + 2] = row[4 * sx] * scale; }
                        else { ws.ForegroundSamples[3 * nF] = _foreground[3 * u]; ws.ForegroundSamples[3 * nF + 1] = _foreground[3 * u + 1]; ws.ForegroundSamples[3 * nF + 2] = _foreground[3 * u + 2]; }
                        ws.ForegroundWeights[nF++] = wf;
                    }
                    if (wb > minWeight)
                    {
                        if (u < 0) { ws.BackgroundSamples[3 * nB] = row[4 * sx + 2] * scale; ws.BackgroundSamples[3 * nB + 1] = row[4 * sx + 1] * scale; ws.BackgroundSamples[3 * nB + 2] = row[4 * sx] * scale; }
                        else { ws.BackgroundSamples[3 * nB] = _background[3 * u]; ws.BackgroundSamples[3 * nB + 1] = _background[3 * u + 1]; ws.BackgroundSamples[3 * nB + 2] = _background[3 * u + 2]; }
                        ws.BackgroundWeights[nB++] = wb;
                    }
                }
            }
            return (nF, nB, weightSum > 0 ? alphaSum / weightSum : 0.5);
        }

        private ReadOnlySpan<ColorGaussian> Cluster(float[] samples, float[] weights, int count, Workspace ws, ColorGaussian[] into)
        {
            int made = OrchardBouman.Cluster(samples.AsSpan(0, 3 * count), weights.AsSpan(0, count), _options.MaxClusters, _options.MinSplitVariance,
                ws.Labels, ws.Statistics);
            return ToGaussians(ws.Statistics.AsSpan(0, made), into, _options.CovarianceRidge).AsSpan(0, made);
        }

        private struct PairSolution
        {
            public double F0, F1, F2, B0, B1, B2, Alpha, Likelihood;
        }

        /// <summary>
        /// Maximises L(C | F, B, α) + L(F) + L(B) for one cluster pair by alternation: with α fixed, F and B solve a
        /// 6×6 symmetric positive-definite system; with F and B fixed, α is C's projection onto the segment B–F.
        /// </summary>
        private PairSolution SolvePair(in ColorGaussian f, in ColorGaussian b, double c0, double c1, double c2, double alpha, Span<double> system)
        {
            double noise = _inverseNoise;
            var fi = f.Inverse;
            var bi = b.Inverse;
            // Σ⁻¹μ for the right-hand side.
            double pf0 = fi.C00 * f.Mean0 + fi.C01 * f.Mean1 + fi.C02 * f.Mean2;
            double pf1 = fi.C01 * f.Mean0 + fi.C11 * f.Mean1 + fi.C12 * f.Mean2;
            double pf2 = fi.C02 * f.Mean0 + fi.C12 * f.Mean1 + fi.C22 * f.Mean2;
            double pb0 = bi.C00 * b.Mean0 + bi.C01 * b.Mean1 + bi.C02 * b.Mean2;
            double pb1 = bi.C01 * b.Mean0 + bi.C11 * b.Mean1 + bi.C12 * b.Mean2;
            double pb2 = bi.C02 * b.Mean0 + bi.C12 * b.Mean1 + bi.C22 * b.Mean2;
            var s = new PairSolution { Alpha = alpha, Likelihood = double.NegativeInfinity };
            double previous = double.NegativeInfinity;
            for (int iteration = 0; iteration < _options.MaxIterations; iteration++)
            {
                double a = s.Alpha, aa = a * a * noise, ab = a * (1 - a) * noise, bb = (1 - a) * (1 - a) * noise;
                var m = system[..36];
                m.Clear();
                m[0] = fi.C00 + aa; m[1] = fi.C01; m[2] = fi.C02;
                m[7] = fi.C11 + aa; m[8] = fi.C12;
                m[14] = fi.C22 + aa;
                m[21] = bi.C00 + bb; m[22] = bi.C01; m[23] = bi.C02;
                m[28] = bi.C11 + bb; m[29] = bi.C12;
                m[35] = bi.C22 + bb;
                m[3] = m[10] = m[17] = ab;
                var rhs = system[36..];
                rhs[0] = pf0 + c0 * a * noise; rhs[1] = pf1 + c1 * a * noise; rhs[2] = pf2 + c2 * a * noise;
                rhs[3] = pb0 + c0 * (1 - a) * noise; rhs[4] = pb1 + c1 * (1 - a) * noise; rhs[5] = pb2 + c2 * (1 - a) * noise;
                SymmetricSolve6.Solve(m, rhs);
                s.F0 = Math.Clamp(rhs[0], 0, 1); s.F1 = Math.Clamp(rhs[1], 0, 1); s.F2 = Math.Clamp(rhs[2], 0, 1);
                s.B0 = Math.Clamp(rhs[3], 0, 1); s.B1 = Math.Clamp(rhs[4], 0, 1); s.B2 = Math.Clamp(rhs[5], 0, 1);

                double d0 = s.F0 - s.B0, d1 = s.F1 - s.B1, d2 = s.F2 - s.B2, norm = d0 * d0 + d1 * d1 + d2 * d2;
                if (norm > 1e-12)
                    s.Alpha = Math.Clamp(((c0 - s.B0) * d0 + (c1 - s.B1) * d1 + (c2 - s.B2) * d2) / norm, 0, 1);

                double e0 = c0 - s.Alpha * s.F0 - (1 - s.Alpha) * s.B0;
                double e1 = c1 - s.Alpha * s.F1 - (1 - s.Alpha) * s.B1;
                double e2 = c2 - s.Alpha * s.F2 - (1 - s.Alpha) * s.B2;
                s.Likelihood = -(e0 * e0 + e1 * e1 + e2 * e2) * noise
                               - 0.5 * f.Mahalanobis(s.F0, s.F1, s.F2) - 0.5 * b.Mahalanobis(s.B0, s.B1, s.B2);
                if (Math.Abs(s.Likelihood - previous) < _options.MinLikelihoodChange) break;
                previous = s.Likelihood;
            }
            return s;
        }

        public AlphaMatte AlphaMatte()
        {
            var matte = new AlphaMatte(_width, _height);
            _alpha.CopyTo(matte.Values);
            return matte;
        }

        /// <summary>Known foreground keeps its colour, unknown pixels take their F; alpha is the matte.</summary>
        public ColorImage ForegroundImage()
        {
            var result = new ColorImage(_width, _height);
            for (int y = 0; y < _height; y++)
            {
                var src = _image.Row(y);
                var dst = result.Row(y);
                for (int x = 0; x < _width; x++)
                {
                    int i = y * _width + x, u = _unknownIndex[i];
                    if (u < 0)
                    {
                        dst[4 * x] = src[4 * x]; dst[4 * x + 1] = src[4 * x + 1]; dst[4 * x + 2] = src[4 * x + 2];
                    }
                    else
                    {
                        dst[4 * x] = ToByte(_foreground[3 * u + 2]); dst[4 * x + 1] = ToByte(_foreground[3 * u + 1]); dst[4 * x + 2] = ToByte(_foreground[3 * u]);
                    }
                    dst[4 * x + 3] = ToByte(_alpha[i]);
                }
            }
            return result;
        }

        private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
    }
}
