using PdnSegmentation.Imaging;
using PdnSegmentation.Neighbours;
using PdnSegmentation.Progress;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Matting;

public sealed record InformationFlowOptions
{
    /// <summary>K_CM: neighbours in colour and position whose colours each unknown pixel's colour is mixed from.</summary>
    public int ColorMixtureNeighbours { get; init; } = 20;
    /// <summary>K_KU: nearest foreground and (as many) background pixels each unknown pixel takes its α estimate from.</summary>
    public int KnownToUnknownNeighbours { get; init; } = 7;
    /// <summary>K_U: nearest unknown pixels each unknown pixel shares α with.</summary>
    public int IntraUnknownNeighbours { get; init; } = 5;
    /// <summary>
    /// The known pixels the known-to-unknown flow searches are sampled on a grid at the density of a photo of this many
    /// megapixels (every pixel up to about twice it; stride 2 at 4 MP, 3 at 12 MP, 5 at 24 MP with the default).
    /// Positions in the search are normalised by the image size, so on a larger photo the K nearest known pixels of a
    /// dense grid crowd into a smaller neighbourhood, more alike and no more telling, while each search visits every
    /// known pixel of similar colour within it: its cost grew with the square of the pixel count (the lemur at 4 MP:
    /// 32 s of a 42 s matte; sampled at stride 2: 9 s, 19 s in all). Sampled the same way at the native size,
    /// the mean SAD barely moves on every set: alphamatting trimap1 / trimap2 every pixel 5.19 / 7.31, stride 2 5.24 /
    /// 7.26, stride 3 5.19 / 7.29; against the masks, the GrabCut set's lasso trimaps 14.05 / 13.73 / 13.92 and Berkeley
    /// with 10-px bands 1.99 / 1.99 / 2.00 (single photos move either way, by up to 5 on GrabCut's "bush"). The flow
    /// loses nothing it knows. 0 = every known pixel at every size.
    /// </summary>
    public double KnownSampleMegapixels { get; init; } = 1;
    /// <summary>σ_L: weight of the local flow (the closed-form matting Laplacian).</summary>
    public double LocalWeight { get; init; } = 1;
    /// <summary>σ_KU: weight of the known-to-unknown flow (each pixel's term also scaled by its confidence).</summary>
    public double KnownToUnknownWeight { get; init; } = 0.05;
    /// <summary>σ_UU: weight of the intra-unknown flow.</summary>
    public double IntraUnknownWeight { get; init; } = 0.01;
    /// <summary>Regulariser of the locally linear embedding weights (colours 0..1).</summary>
    public double MixtureRegularization { get; init; } = 1e-3;
    /// <summary>
    /// Before solving, unknown pixels whose colour nearly equals a known pixel's close by join that side (the
    /// paper's pre-processing, after Shahrian et al. 2013): within distance d &lt; <see cref="ExpansionRadius"/> + 1 a
    /// colour difference below (radius + 1 − d) / 255; pixels that match both sides stay unknown. 0 = off.
    /// </summary>
    public int ExpansionRadius { get; init; } = 8;
    /// <summary>
    /// Above this many unknown pixels the matte is solved at a reduced scale and brought back to full size by its local
    /// linear model (<see cref="ReducedScaleMatting"/>); <see cref="long.MaxValue"/> always solves at full size.
    /// </summary>
    public long FullScaleUnknowns { get; init; } = ReducedScaleMatting.DefaultFullScaleUnknowns;
    /// <summary>ε of the local flow's window covariances.</summary>
    public double LocalEpsilon { get; init; } = 1e-7;
    /// <summary>
    /// The system's rows hold 40–50 entries (each colour mixture couples 20 pixels): its preconditioner factors only
    /// the entries above 1 % of √(a_ii a_jj) (alphamatting GT26, trimap2: factor 1.59 → 0.54 s, 51 → 65 iterations,
    /// solve 3.4 → 2.3 s, same matte).
    /// </summary>
    public UnknownRegionSolverOptions Solver { get; init; } = new() { PreconditionerDropTolerance = 1e-2 };
}

/// <summary>
/// Information-flow matting (Aksoy, Aydın &amp; Pollefeys, "Designing effective inter-pixel information flow for
/// natural image matting", CVPR 2017): α at each unknown pixel is tied to other pixels by four flows, each a
/// quadratic energy, summed into one sparse positive definite system on the unknowns (known pixels fixed):
/// <list type="bullet">
/// <item>colour mixture — the pixel's colour as a locally linear embedding (LLE) of its K_CM nearest pixels in
/// colour and position, and its α the same mixture of theirs: ‖(I − W_CM) α‖²;</item>
/// <item>known to unknown — the same mixture over its K_KU nearest foreground and background pixels gives a direct
/// estimate w_F (the foreground share), trusted by how far apart the mixed foreground and background colours are:
/// σ_KU Σ η_p (α_p − w_F)²;</item>
/// <item>intra-unknown — its K_U nearest unknown pixels in colour (position weak), similarity-weighted:
/// σ_UU Σ w_pq (α_p − α_q)²;</item>
/// <item>local — the closed-form matting Laplacian of its 3×3 windows: σ_L αᵀ L α.</item>
/// </list>
/// Neighbours come from exact k-d tree searches; the system is solved by the preconditioned CG every trimap method
/// shares.
/// </summary>
public static class InformationFlowMatting
{
    private const int ChunkCount = 64;

    public static AlphaMatte Estimate(ColorImage image, Trimap trimap, InformationFlowOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new InformationFlowOptions();
        if (options.ColorMixtureNeighbours < 1 || options.KnownToUnknownNeighbours < 1 || options.IntraUnknownNeighbours < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "Every flow needs at least one neighbour.");
        TrimapValidator.Validate(trimap, image.Width, image.Height);
        return ReducedScaleMatting.Solve(image, trimap, options.FullScaleUnknowns,
            (photo, photoTrimap, photoProgress) => EstimateFullScale(photo, photoTrimap, options, photoProgress, cancellationToken),
            options.Solver.MaxDegreeOfParallelism, progress, cancellationToken).Alpha;
    }

    private static AlphaMatte EstimateFullScale(ColorImage image, Trimap trimap, InformationFlowOptions options, IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        var scope = ProgressScope.For(progress);
        if (options.ExpansionRadius > 0)
        {
            trimap = ExpandKnownRegions(image, trimap, options.ExpansionRadius);
            if (trimap.Count(TrimapLabel.Unknown) == 0) return UnknownRegionSolver.ToMatte(trimap, [], []);
        }
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        var system = BuildSystem(image, trimap, indices, options, scope, cancellationToken);
        scope.Report(0.6);
        // The flows' neighbour lists, their transposes and the local rows (at 4 MP about 500 MB) are garbage now:
        // collected before the solve allocates its preconditioner, so its arrays reuse their space instead of growing
        // the process (the lemur at 4 MP, whole `pdnseg matte`: peak 1.12–1.16 → 0.91 GB, with the preconditioner's exact-size
        // arrays). The collection takes about 0.1 s.
        if (indices.Length > CollectBeforeSolveAbove) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // CG starts from the known-to-unknown estimates (α from the nearest known colours): closer than the
        // distance ratio, so fewer iterations reach the same tolerance.
        var solution = UnknownRegionSolver.Solve(trimap, indices, system.RowStart, system.Columns, system.Lower, system.Rhs, options.Solver, system.Start,
            scope.Slice(0.6, 1), cancellationToken);
        scope.Report(1);
        return UnknownRegionSolver.ToMatte(trimap, indices, solution.Values);
    }

    /// <summary>Unknown pixels above which the assembly's garbage is collected before the solve.</summary>
    private const int CollectBeforeSolveAbove = 250_000;

    /// <summary>The unknowns' system (lower triangle in CSR, diagonal last) and CG's start.</summary>
    private sealed record FlowSystem(int[] RowStart, int[] Columns, double[] Lower, double[] Rhs, double[] Start);

    /// <summary>
    /// The four flows' system. Its own method so that everything built on the way (neighbour lists, weights, the
    /// local rows) is unreachable once it returns, whatever the JIT thinks of the locals' lifetimes.
    /// </summary>
    private static FlowSystem BuildSystem(ColorImage image, Trimap trimap, int[] indices, InformationFlowOptions options, ProgressScope scope,
        CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height;
        var labels = trimap.LabelArray;
        int n = indices.Length;
        var unknownNumber = UnknownRegionSolver.UnknownNumbers(indices, labels.Length);
        var colors = Colors(image);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Solver.MaxDegreeOfParallelism), CancellationToken = cancellationToken };

        // Colour mixture: each unknown pixel's row of I − W_CM, over all pixels.
        int kcm = options.ColorMixtureNeighbours;
        var mixtureNeighbours = new int[n * kcm];
        var mixtureWeights = new double[n * kcm];
        {
            var tree = new KdTree(Features(colors, w, h, Enumerable.Range(0, w * h).ToArray(), 1), 5);
            ForChunks(n, parallel, (first, end) =>
            {
                Span<int> found = stackalloc int[kcm];
                Span<float> distances = stackalloc float[kcm];
                Span<float> query = stackalloc float[5];
                for (int u = first; u < end; u++)
                {
                    Feature(colors, w, h, indices[u], 1, query);
                    int count = tree.Nearest(query, found, distances, exclude: indices[u]);
                    found[..count].CopyTo(mixtureNeighbours.AsSpan(u * kcm));
                    LocallyLinearWeights(colors, indices[u], found[..count], options.MixtureRegularization, mixtureWeights.AsSpan(u * kcm, count));
                }
            });
        }
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.2);

        // Known to unknown: the foreground share of the mixture over the nearest known pixels, and its confidence.
        var estimate = new double[n];
        var confidence = new double[n];
        KnownToUnknown(colors, w, h, labels, indices, options, parallel, estimate, confidence);
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.3);

        // Intra-unknown: similarity-weighted links to the nearest unknown pixels.
        int ku = options.IntraUnknownNeighbours;
        var intraNeighbours = new int[n * ku];
        var intraWeights = new double[n * ku];
        {
            var features = Features(colors, w, h, indices, 1.0 / 20);
            var tree = new KdTree(features, 5);
            ForChunks(n, parallel, (first, end) =>
            {
                Span<int> found = stackalloc int[ku];
                Span<float> distances = stackalloc float[ku];
                for (int u = first; u < end; u++)
                {
                    var query = features.AsSpan(5 * u, 5);
                    int count = tree.Nearest(query, found, distances, exclude: u);
                    for (int j = 0; j < ku; j++)
                    {
                        if (j >= count) { intraNeighbours[u * ku + j] = u; continue; } // no link
                        int v = found[j];
                        float l1 = 0;
                        for (int d = 0; d < 5; d++) l1 += Math.Abs(query[d] - features[5 * v + d]);
                        intraNeighbours[u * ku + j] = v;
                        intraWeights[u * ku + j] = Math.Max(1 - l1, 0);
                    }
                }
            });
        }
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.4);

        // Local flow: the matting Laplacian's unknown rows.
        var laplacian = new MattingLaplacian(image, indices, options.LocalEpsilon, options.Solver.MaxDegreeOfParallelism);
        var localRhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
        var (localStart, localColumns, localLower) = laplacian.LowerTriangle();
        laplacian = null;
        cancellationToken.ThrowIfCancellationRequested();
        scope.Report(0.5);

        var (rowStart, columns, lower, rhs) = Assemble(labels, indices, unknownNumber, mixtureNeighbours, mixtureWeights, kcm,
            estimate, confidence, intraNeighbours, intraWeights, ku, localStart, localColumns, localLower, localRhs, options, parallel);
        cancellationToken.ThrowIfCancellationRequested();
        return new FlowSystem(rowStart, columns, lower, rhs, estimate);
    }

    /// <summary>The trimap with unknown pixels that match one side's nearby known colours moved to that side.</summary>
    internal static Trimap ExpandKnownRegions(ColorImage image, Trimap trimap, int radius)
    {
        int w = image.Width, h = image.Height;
        var labels = trimap.LabelArray;
        var expanded = trimap.Labels.ToArray();
        var pixels = image.Buffer;
        int stride = image.Stride;
        double limit = radius + 1;
        // Per offset: the largest squared colour difference still matched, (limit − d)², or −1 beyond the disc.
        int side = 2 * radius + 1;
        var allowed = new double[side * side];
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
            {
                double distance = Math.Sqrt(dx * dx + dy * dy);
                allowed[(dy + radius) * side + dx + radius] = distance < limit ? (limit - distance) * (limit - distance) : -1;
            }
        RowRange(h, y0 =>
        {
            for (int y = y0; y < Math.Min(h, y0 + 8); y++)
                for (int x = 0; x < w; x++)
                {
                    if (labels[y * w + x] != (byte)TrimapLabel.Unknown) continue;
                    bool foreground = false, background = false;
                    int p = y * stride + 4 * x;
                    for (int ny = Math.Max(0, y - radius); ny <= Math.Min(h - 1, y + radius); ny++)
                        for (int nx = Math.Max(0, x - radius); nx <= Math.Min(w - 1, x + radius); nx++)
                        {
                            byte label = labels[ny * w + nx];
                            if (label == (byte)TrimapLabel.Unknown) continue;
                            double bound = allowed[(ny - y + radius) * side + nx - x + radius];
                            int q = ny * stride + 4 * nx;
                            int d0 = pixels[p] - pixels[q], d1 = pixels[p + 1] - pixels[q + 1], d2 = pixels[p + 2] - pixels[q + 2];
                            if (d0 * d0 + d1 * d1 + d2 * d2 < bound)
                            {
                                if (label == (byte)TrimapLabel.Foreground) foreground = true; else background = true;
                            }
                        }
                    if (foreground != background) expanded[y * w + x] = foreground ? (byte)TrimapLabel.Foreground : (byte)TrimapLabel.Background;
                }
        });
        return Trimap.FromGray(w, h, expanded);
    }

    private static void RowRange(int height, Action<int> body) => Parallel.For(0, (height + 7) / 8, band => body(band * 8));

    /// <summary>RGB in 0..1, three floats per pixel.</summary>
    private static float[] Colors(ColorImage image)
    {
        int w = image.Width, h = image.Height;
        var colors = new float[3 * w * h];
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int i = 3 * (y * w + x);
                colors[i] = row[4 * x + 2] / 255f;
                colors[i + 1] = row[4 * x + 1] / 255f;
                colors[i + 2] = row[4 * x] / 255f;
            }
        }
        return colors;
    }

    /// <summary>[r, g, b, s·x/W, s·y/H]: colour and position, position scaled by <paramref name="positionScale"/>.</summary>
    private static void Feature(float[] colors, int w, int h, int pixel, double positionScale, Span<float> feature)
    {
        feature[0] = colors[3 * pixel];
        feature[1] = colors[3 * pixel + 1];
        feature[2] = colors[3 * pixel + 2];
        feature[3] = (float)(positionScale * (pixel % w) / w);
        feature[4] = (float)(positionScale * (pixel / w) / h);
    }

    private static float[] Features(float[] colors, int w, int h, int[] pixels, double positionScale)
    {
        var features = new float[5 * pixels.Length];
        for (int i = 0; i < pixels.Length; i++) Feature(colors, w, h, pixels[i], positionScale, features.AsSpan(5 * i, 5));
        return features;
    }

    /// <summary>
    /// The weights (summing to 1) that best mix the neighbours' colours into the pixel's: (ZᵀZ + εI) w ∝ 1 with Z the
    /// 3 × K colour differences, solved through the 3 × 3 system of the Woodbury identity instead of the K × K one.
    /// </summary>
    private static void LocallyLinearWeights(float[] colors, int pixel, ReadOnlySpan<int> neighbours, double epsilon, Span<double> weights)
    {
        int k = neighbours.Length;
        if (k == 0) return;
        // (εI + ZᵀZ)⁻¹ 1 = (1 − Zᵀ (εI₃ + Z Zᵀ)⁻¹ Z 1) / ε
        double s00 = epsilon, s01 = 0, s02 = 0, s11 = epsilon, s12 = 0, s22 = epsilon, z0 = 0, z1 = 0, z2 = 0;
        for (int j = 0; j < k; j++)
        {
            int q = neighbours[j];
            double d0 = colors[3 * q] - colors[3 * pixel], d1 = colors[3 * q + 1] - colors[3 * pixel + 1], d2 = colors[3 * q + 2] - colors[3 * pixel + 2];
            s00 += d0 * d0; s01 += d0 * d1; s02 += d0 * d2; s11 += d1 * d1; s12 += d1 * d2; s22 += d2 * d2;
            z0 += d0; z1 += d1; z2 += d2;
        }
        // Solve S t = Z 1 (S symmetric positive definite 3 × 3) by Cramer's rule.
        double c00 = s11 * s22 - s12 * s12, c01 = s02 * s12 - s01 * s22, c02 = s01 * s12 - s02 * s11;
        double det = s00 * c00 + s01 * c01 + s02 * c02;
        double c11 = s00 * s22 - s02 * s02, c12 = s01 * s02 - s00 * s12, c22 = s00 * s11 - s01 * s01;
        double t0 = (c00 * z0 + c01 * z1 + c02 * z2) / det, t1 = (c01 * z0 + c11 * z1 + c12 * z2) / det, t2 = (c02 * z0 + c12 * z1 + c22 * z2) / det;
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            int q = neighbours[j];
            double d0 = colors[3 * q] - colors[3 * pixel], d1 = colors[3 * q + 1] - colors[3 * pixel + 1], d2 = colors[3 * q + 2] - colors[3 * pixel + 2];
            weights[j] = 1 - (d0 * t0 + d1 * t1 + d2 * t2);
            sum += weights[j];
        }
        for (int j = 0; j < k; j++) weights[j] /= sum;
    }

    private static void KnownToUnknown(float[] colors, int w, int h, byte[] labels, int[] indices, InformationFlowOptions options, ParallelOptions parallel,
        double[] estimate, double[] confidence)
    {
        int stride = KnownSampleStride(w, h, options.KnownSampleMegapixels);
        var foreground = KnownSamples(labels, w, h, TrimapLabel.Foreground, stride);
        var background = KnownSamples(labels, w, h, TrimapLabel.Background, stride);
        // Position weighs 10× more than in the colour mixture: the known pixels are taken from nearby.
        KdTree foregroundTree = null!, backgroundTree = null!;
        Parallel.Invoke(parallel,
            () => foregroundTree = new KdTree(Features(colors, w, h, foreground, 10), 5),
            () => backgroundTree = new KdTree(Features(colors, w, h, background, 10), 5));
        int k = options.KnownToUnknownNeighbours;
        ForChunks(indices.Length, parallel, (first, end) =>
        {
            Span<int> found = stackalloc int[2 * k];
            Span<int> pixels = stackalloc int[2 * k];
            Span<float> distances = stackalloc float[2 * k];
            Span<double> weights = stackalloc double[2 * k];
            Span<float> query = stackalloc float[5];
            Span<double> f = stackalloc double[3], b = stackalloc double[3];
            for (int u = first; u < end; u++)
            {
                f.Clear();
                b.Clear();
                Feature(colors, w, h, indices[u], 10, query);
                int nf = foregroundTree.Nearest(query, found[..k], distances[..k]);
                int nb = backgroundTree.Nearest(query, found.Slice(k, k), distances.Slice(k, k));
                for (int j = 0; j < nf; j++) pixels[j] = foreground[found[j]];
                for (int j = 0; j < nb; j++) pixels[nf + j] = background[found[k + j]];
                var mixed = pixels[..(nf + nb)];
                LocallyLinearWeights(colors, indices[u], mixed, options.MixtureRegularization, weights);
                double wf = 0, wb = 0;
                for (int j = 0; j < mixed.Length; j++)
                {
                    bool isForeground = j < nf;
                    if (isForeground) wf += weights[j]; else wb += weights[j];
                    for (int c = 0; c < 3; c++) (isForeground ? f : b)[c] += weights[j] * colors[3 * mixed[j] + c];
                }
                double eta = 0;
                if (Math.Abs(wf) > 1e-9 && Math.Abs(wb) > 1e-9)
                    for (int c = 0; c < 3; c++) eta += Math.Pow(f[c] / wf - b[c] / wb, 2);
                estimate[u] = Math.Clamp(wf, 0, 1);
                confidence[u] = Math.Min(eta / 3, 1);
            }
        });
    }

    /// <summary>Sampling stride of the known pixels (<see cref="InformationFlowOptions.KnownSampleMegapixels"/>).</summary>
    internal static int KnownSampleStride(int width, int height, double referenceMegapixels) =>
        referenceMegapixels <= 0 ? 1 : Math.Max(1, (int)Math.Round(Math.Sqrt((double)width * height / (referenceMegapixels * 1e6))));

    /// <summary>The pixels with the label on every stride-th row and column (all of them at stride 1).</summary>
    private static int[] KnownSamples(byte[] labels, int w, int h, TrimapLabel label, int stride)
    {
        var samples = new List<int>();
        for (int y = 0; y < h; y += stride)
            for (int x = 0, i = y * w; x < w; x += stride, i += stride)
                if (labels[i] == (byte)label) samples.Add(i);
        return samples.ToArray();
    }

    /// <summary>
    /// The lower triangle (CSR, diagonal last) and right-hand side of the unknowns' system:
    /// (I − W_CM)ᵀ(I − W_CM) + σ_L L + σ_UU L_UU + σ_KU H, with the known pixels' parts moved to the right.
    /// Row by row with a dense accumulator per chunk: each row of (I − W)ᵀ(I − W) sums the rows of I − W that touch it.
    /// </summary>
    private static (int[] RowStart, int[] Columns, double[] Lower, double[] Rhs) Assemble(byte[] labels, int[] indices, int[] unknownNumber,
        int[] mixtureNeighbours, double[] mixtureWeights, int kcm, double[] estimate, double[] confidence,
        int[] intraNeighbours, double[] intraWeights, int ku, int[] localStart, int[] localColumns, double[] localLower, double[] localRhs,
        InformationFlowOptions options, ParallelOptions parallel)
    {
        int n = indices.Length;
        // The mixture neighbours as unknown numbers (−1 for known pixels), looked up once.
        var mixtureUnknown = new int[mixtureNeighbours.Length];
        for (int e = 0; e < mixtureUnknown.Length; e++) mixtureUnknown[e] = unknownNumber[mixtureNeighbours[e]];
        // Mixture rows r_p = e_p − Σ w_pq e_q; their known part's product with α_K: s_p = −Σ_{q ∈ F} w_pq.
        var knownPart = new double[n];
        for (int p = 0; p < n; p++)
            for (int j = 0; j < kcm; j++)
            {
                int q = mixtureNeighbours[p * kcm + j];
                if (unknownNumber[q] < 0 && labels[q] == (byte)TrimapLabel.Foreground) knownPart[p] -= mixtureWeights[p * kcm + j];
            }
        // Transpose: for each unknown column i, the rows p (and coefficients) of I − W with an entry there.
        var touchCount = new int[n + 1];
        for (int p = 0; p < n; p++)
        {
            touchCount[p + 1]++;
            for (int j = 0; j < kcm; j++)
                if (mixtureUnknown[p * kcm + j] is >= 0 and var v) touchCount[v + 1]++;
        }
        for (int i = 0; i < n; i++) touchCount[i + 1] += touchCount[i];
        // Each touch as the row p and the entry of W_CM it comes from (−1: r_p's own 1), not a copy of the coefficient:
        // at 4 MP the copies were 80 MB of the assembly's peak.
        var touchRow = new int[touchCount[n]];
        var touchEntry = new int[touchCount[n]];
        var fill = touchCount[..n].ToArray();
        for (int p = 0; p < n; p++)
        {
            touchRow[fill[p]] = p; touchEntry[fill[p]++] = -1;
            for (int j = 0; j < kcm; j++)
                if (mixtureUnknown[p * kcm + j] is >= 0 and var v) { touchRow[fill[v]] = p; touchEntry[fill[v]++] = p * kcm + j; }
        }
        // Intra-unknown links in both directions.
        var linkCount = new int[n + 1];
        for (int p = 0; p < n; p++)
            for (int j = 0; j < ku; j++)
                if (intraNeighbours[p * ku + j] != p && intraWeights[p * ku + j] > 0) { linkCount[p + 1]++; linkCount[intraNeighbours[p * ku + j] + 1]++; }
        for (int i = 0; i < n; i++) linkCount[i + 1] += linkCount[i];
        var linkTo = new int[linkCount[n]];
        var linkWeight = new double[linkCount[n]];
        fill = linkCount[..n].ToArray();
        for (int p = 0; p < n; p++)
            for (int j = 0; j < ku; j++)
            {
                int q = intraNeighbours[p * ku + j];
                double weight = intraWeights[p * ku + j];
                if (q == p || weight <= 0) continue;
                linkTo[fill[p]] = q; linkWeight[fill[p]++] = weight;
                linkTo[fill[q]] = p; linkWeight[fill[q]++] = weight;
            }

        double sl = options.LocalWeight, suu = options.IntraUnknownWeight, sku = options.KnownToUnknownWeight;
        var rhs = new double[n];
        int chunks = Math.Max(1, Math.Min(ChunkCount, n));
        var chunkColumns = new int[chunks][];
        var chunkValues = new double[chunks][];
        var rowLength = new int[n];
        // One dense accumulator per worker thread, not per chunk: each row is summed in its own fixed order, so
        // the result does not depend on which thread built it. A row stamp marks the touched columns (no reset pass).
        Parallel.For(0, chunks, parallel, () => new AssemblyScratch(n), (chunk, _, scratch) =>
        {
            int first = (int)((long)n * chunk / chunks), end = (int)((long)n * (chunk + 1) / chunks);
            var accumulator = scratch.Accumulator;
            var stamp = scratch.Stamp;
            int stored = 0;
            for (int i = first; i < end; i++)
            {
                int touchedCount = 0;
                var touched = scratch.Touched;
                void Add(int column, double value)
                {
                    if (column > i) return;
                    if (stamp[column] != i + 1)
                    {
                        stamp[column] = i + 1;
                        accumulator[column] = 0;
                        if (touchedCount == touched.Length) Array.Resize(ref scratch.Touched, 2 * touched.Length);
                        touched = scratch.Touched;
                        touched[touchedCount++] = column;
                    }
                    accumulator[column] += value;
                }
                double b = 0;
                for (int t = touchCount[i]; t < touchCount[i + 1]; t++)
                {
                    int p = touchRow[t];
                    double c = touchEntry[t] < 0 ? 1 : -mixtureWeights[touchEntry[t]];
                    b -= c * knownPart[p];
                    Add(p, c); // r_p's own entry (1 at p)
                    // The hot loop (about 20 × 20 updates per row), written out: only columns up to i are kept.
                    for (int e = p * kcm, last = e + kcm; e < last; e++)
                    {
                        int column = mixtureUnknown[e];
                        if ((uint)column > (uint)i) continue; // known (−1) or above the diagonal
                        if (stamp[column] != i + 1) Add(column, -c * mixtureWeights[e]);
                        else accumulator[column] -= c * mixtureWeights[e];
                    }
                }
                for (int e = localStart[i]; e < localStart[i + 1]; e++) Add(localColumns[e], sl * localLower[e]);
                b -= sl * localRhs[i];
                for (int e = linkCount[i]; e < linkCount[i + 1]; e++)
                {
                    Add(i, suu * linkWeight[e]);
                    Add(linkTo[e], -suu * linkWeight[e]);
                }
                Add(i, sku * confidence[i] + 1e-10);
                b += sku * confidence[i] * estimate[i];
                rhs[i] = b;
                var row = touched.AsSpan(0, touchedCount);
                row.Sort();
                scratch.Reserve(stored + touchedCount);
                foreach (int column in row)
                {
                    scratch.Columns[stored] = column;
                    scratch.Values[stored++] = accumulator[column];
                }
                rowLength[i] = touchedCount;
            }
            // Exact-size copies: growing lists per chunk held about 20 % more than the rows (at 4 MP, 275 against 232 MB).
            chunkColumns[chunk] = scratch.Columns[..stored];
            chunkValues[chunk] = scratch.Values[..stored];
            return scratch;
        }, _ => { });
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rowLength[i];
        var columns = new int[rowStart[n]];
        var lower = new double[rowStart[n]];
        for (int chunk = 0, at = 0; chunk < chunks; chunk++)
        {
            chunkColumns[chunk].CopyTo(columns, at);
            chunkValues[chunk].CopyTo(lower, at);
            at += chunkColumns[chunk].Length;
            (chunkColumns[chunk], chunkValues[chunk]) = ([], []);
        }
        return (rowStart, columns, lower, rhs);
    }

    private sealed class AssemblyScratch(int n)
    {
        public readonly double[] Accumulator = new double[n];
        public readonly int[] Stamp = new int[n];
        public int[] Touched = new int[256];
        /// <summary>The current chunk's rows, reused from chunk to chunk.</summary>
        public int[] Columns = [];
        public double[] Values = [];

        public void Reserve(int length)
        {
            if (length <= Columns.Length) return;
            int capacity = Math.Max(length, 2 * Columns.Length);
            Array.Resize(ref Columns, capacity);
            Array.Resize(ref Values, capacity);
        }
    }

    /// <summary>Runs body(first, end) over a fixed partition of 0..n (results independent of the thread count).</summary>
    private static void ForChunks(int n, ParallelOptions parallel, Action<int, int> body)
    {
        int chunks = Math.Max(1, Math.Min(ChunkCount, n));
        Parallel.For(0, chunks, parallel, chunk => body((int)((long)n * chunk / chunks), (int)((long)n * (chunk + 1) / chunks)));
    }
}
