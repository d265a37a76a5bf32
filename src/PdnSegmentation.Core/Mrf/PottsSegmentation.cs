using PdnSegmentation.Graphs;
using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Mrf;

public sealed record PottsOptions
{
    /// <summary>β: the cost of two neighbouring pixels taking different labels, in the data term's units (nats).</summary>
    public double Coupling { get; init; } = 2;
    /// <summary>8-neighbourhood (default) or 4-neighbourhood.</summary>
    public bool EightNeighbours { get; init; } = true;
    /// <summary>Most sweeps over all labels (α-expansion) or over all pixels (ICM).</summary>
    public int MaxCycles { get; init; } = 5;
}

/// <param name="Labels">Each pixel's label, row-major.</param>
/// <param name="EnergyPerCycle">The energy of the starting labelling (maximum likelihood) and after each cycle.</param>
public sealed record PottsResult(int Width, int Height, byte[] Labels, IReadOnlyList<double> EnergyPerCycle)
{
    public double Energy => EnergyPerCycle[^1];
}

/// <summary>
/// L-label MRF segmentation with a Gaussian likelihood per label and a Potts prior:
/// E(l) = Σ_p D_p(l_p) + β Σ_{p~q} [l_p ≠ l_q]. MAP by α-expansion (Boykov, Veksler &amp; Zabih 2001): for each label
/// α in turn, the best "keep or switch to α" move over all pixels at once is one binary graph cut; with ICM
/// (Besag 1986), each pixel greedily takes its best label given its neighbours, as the simple baseline.
/// Both start from the maximum-likelihood labelling.
/// </summary>
public static class PottsSegmentation
{
    private static readonly int[] Dx = [1, 1, 0, -1];
    private static readonly int[] Dy = [0, 1, 1, 1];

    private static int ForwardDirections(PottsOptions o) => o.EightNeighbours ? 4 : 2; // E, SE, S, SW or E, S

    private static (int Dx, int Dy, GridDirection Direction) Forward(PottsOptions o, int k) =>
        o.EightNeighbours ? (Dx[k], Dy[k], (GridDirection)k) : k == 0 ? (1, 0, GridDirection.East) : (0, 1, GridDirection.South);

    public static double Energy(ColorImage image, LabelModels models, ReadOnlySpan<byte> labels, PottsOptions? options = null)
    {
        options ??= new PottsOptions();
        int w = image.Width, h = image.Height;
        double energy = 0;
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                energy += models.DataCost(labels[i], row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                for (int k = 0; k < ForwardDirections(options); k++)
                {
                    var (dx, dy, _) = Forward(options, k);
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx < (uint)w && (uint)ny < (uint)h && labels[ny * w + nx] != labels[i]) energy += options.Coupling;
                }
            }
        }
        return energy;
    }

    public static byte[] MaximumLikelihood(ColorImage image, LabelModels models)
    {
        int w = image.Width, h = image.Height;
        var labels = new byte[w * h];
        Parallel.For(0, h, y =>
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int best = 0;
                double bestCost = double.PositiveInfinity;
                for (int l = 0; l < models.Count; l++)
                {
                    double c = models.DataCost(l, row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                    if (c < bestCost) { bestCost = c; best = l; }
                }
                labels[y * w + x] = (byte)best;
            }
        });
        return labels;
    }

    public static PottsResult AlphaExpansion(ColorImage image, LabelModels models, PottsOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PottsOptions();
        Validate(options);
        var labels = MaximumLikelihood(image, models);
        var energies = new List<double> { Energy(image, models, labels, options) };
        var graph = new GridMaxFlow(image.Width, image.Height);
        var scope = ProgressScope.For(progress);
        var move = new MoveBuffers(labels.Length);
        double current = energies[0];
        for (int cycle = 0; cycle < options.MaxCycles; cycle++)
        {
            bool improved = false;
            for (int alpha = 0; alpha < models.Count; alpha++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ExpansionMove(image, models, labels, (byte)alpha, options, graph, move, cancellationToken);
                double energy = Energy(image, models, move.Result, options);
                // The move's optimum never costs more than keeping every label (that is one of the moves); the check
                // only guards against float round-off in the capacities.
                if (energy < current - 1e-9 * Math.Abs(current))
                {
                    move.Result.CopyTo(labels, 0);
                    current = energy;
                    improved = true;
                }
                scope.Report((cycle * models.Count + alpha + 1.0) / (options.MaxCycles * models.Count));
            }
            energies.Add(current);
            if (!improved) break;
        }
        scope.Report(1);
        return new PottsResult(image.Width, image.Height, labels, energies);
    }

    /// <summary>Per-pixel scratch of an expansion move, allocated once per segmentation.</summary>
    internal sealed class MoveBuffers(int pixels)
    {
        public readonly double[] Source = new double[pixels]; // paid if the pixel ends on the sink side (switches to α)
        public readonly double[] Sink = new double[pixels];   // paid if it ends on the source side (keeps its label)
        public readonly byte[] Result = new byte[pixels];
    }

    /// <summary>
    /// The optimal α-expansion move from <paramref name="labels"/> into <paramref name="result"/>. Binary variable
    /// per pixel: source side keeps its label, sink side switches to α. A Potts pair term E(keep/α, keep/α) = (A, B;
    /// C, 0) is written as A + (C−A)x_p + (0−C)x_q + (B+C−A)(1−x_p)x_q (Kolmogorov &amp; Zabih 2004): two unary parts
    /// and one edge p→q of capacity B + C − A ≥ 0, which holds because Potts is a metric.
    /// </summary>
    internal static void ExpansionMove(ColorImage image, LabelModels models, byte[] labels, byte alpha, PottsOptions options,
        GridMaxFlow graph, MoveBuffers buffers, CancellationToken cancellationToken)
    {
        int w = image.Width, h = image.Height;
        double beta = options.Coupling;
        graph.Clear();
        var source = buffers.Source;
        var sink = buffers.Sink;
        var result = buffers.Result;
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                source[i] = models.DataCost(alpha, row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                sink[i] = models.DataCost(labels[i], row[4 * x], row[4 * x + 1], row[4 * x + 2]);
            }
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                for (int k = 0; k < ForwardDirections(options); k++)
                {
                    var (dx, dy, direction) = Forward(options, k);
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                    int q = ny * w + nx;
                    double a = labels[p] != labels[q] ? beta : 0, b = labels[p] != alpha ? beta : 0, c = alpha != labels[q] ? beta : 0;
                    AddUnary(source, sink, p, c - a);
                    AddUnary(source, sink, q, -c);
                    graph.SetEdge(x, y, direction, (float)(b + c - a), 0);
                }
            }
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                graph.AddTerminalWeights(x, y, (float)source[i], (float)sink[i]);
            }
        graph.Solve(cancellationToken);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                result[i] = graph.IsSourceSide(x, y) ? labels[i] : alpha;
            }
    }

    /// <summary>Adds v·x (x = 1 on the sink side): positive v is paid on the sink side, negative as −v on the source side.</summary>
    private static void AddUnary(double[] source, double[] sink, int i, double v)
    {
        if (v >= 0) source[i] += v;
        else sink[i] -= v;
    }

    public static PottsResult Icm(ColorImage image, LabelModels models, PottsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PottsOptions();
        Validate(options);
        int w = image.Width, h = image.Height;
        var labels = MaximumLikelihood(image, models);
        var energies = new List<double> { Energy(image, models, labels, options) };
        Span<double> cost = stackalloc double[models.Count];
        for (int cycle = 0; cycle < options.MaxCycles; cycle++)
        {
            int changed = 0;
            for (int y = 0; y < h; y++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = image.Row(y);
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    for (int l = 0; l < models.Count; l++) cost[l] = models.DataCost(l, row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            if ((dx == 0 && dy == 0) || (!options.EightNeighbours && dx != 0 && dy != 0)) continue;
                            int nx = x + dx, ny = y + dy;
                            if ((uint)nx >= (uint)w || (uint)ny >= (uint)h) continue;
                            int neighbour = labels[ny * w + nx];
                            for (int l = 0; l < models.Count; l++) if (l != neighbour) cost[l] += options.Coupling;
                        }
                    int best = labels[i];
                    for (int l = 0; l < models.Count; l++) if (cost[l] < cost[best]) best = l;
                    if (best != labels[i]) { labels[i] = (byte)best; changed++; }
                }
            }
            energies.Add(Energy(image, models, labels, options));
            if (changed == 0) break;
        }
        return new PottsResult(w, h, labels, energies);
    }

    private static void Validate(PottsOptions o)
    {
        if (!(o.Coupling >= 0) || double.IsInfinity(o.Coupling)) throw new SegmentationInputException($"The coupling β must be a non-negative number (got {o.Coupling}).");
        if (o.MaxCycles < 1) throw new ArgumentOutOfRangeException(nameof(o), "MaxCycles must be at least 1.");
    }
}
