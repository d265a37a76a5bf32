using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Solvers;

namespace PdnSegmentation.Matting;

/// <summary>How a matting method's linear system on the unknown pixels is solved (shared by every trimap method).</summary>
public sealed record UnknownRegionSolverOptions
{
    public ConjugateGradientOptions Solver { get; init; } = new();
    public MattingPreconditioner Preconditioner { get; init; } = MattingPreconditioner.Automatic;
    /// <summary>
    /// <see cref="MattingPreconditioner.Automatic"/>: multigrid above this many unknowns (off unless the method sets it:
    /// closed-form, whose multigrid has colour candidates, does) …
    /// </summary>
    public int MultigridAboveUnknowns { get; init; } = int.MaxValue;
    /// <summary>… or when 5 % of the unknowns are farther than this from a known pixel …</summary>
    public double MultigridBeyondDistance { get; init; } = 100;
    /// <summary>… or when more than this fraction of the image is unknown.</summary>
    public double MultigridAboveUnknownFraction { get; init; } = 0.5;
    /// <summary>Independent blocks of the incomplete-Cholesky factorisations (solved in parallel).</summary>
    public int PreconditionerBlocks { get; init; } = 2;
    /// <summary>
    /// The incomplete-Cholesky preconditioner factors the matrix without its off-diagonal entries smaller than this
    /// fraction of √(a_ii a_jj) (0 = all kept). CG still solves the full system to the same tolerance; a sparser
    /// factor is cheaper to build and apply where rows are long (information flow: 40–50 entries per row).
    /// </summary>
    public double PreconditionerDropTolerance { get; init; }
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <param name="Levels">Multigrid levels (1 for incomplete Cholesky alone).</param>
public sealed record UnknownRegionSolution(double[] Values, ConjugateGradientResult Solve, int Levels);

/// <summary>
/// The part every trimap-based linear method shares (closed-form, random walk, Poisson, information flow): the
/// unknown pixels, a start from the distances to both known regions, the preconditioner chosen by the problem's
/// shape, preconditioned CG on A_UU α_U = b, and the matte with the known pixels filled in.
/// </summary>
public static class UnknownRegionSolver
{
    /// <summary>The linear indices of the trimap's unknown pixels, ascending: the rows and columns of every system.</summary>
    public static int[] UnknownIndices(Trimap trimap)
    {
        var labels = trimap.Labels;
        var unknown = new List<int>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] == (byte)TrimapLabel.Unknown) unknown.Add(i);
        return unknown.ToArray();
    }

    /// <summary>For every pixel, its number among the unknowns (the row of the system), or −1 for a known pixel.</summary>
    public static int[] UnknownNumbers(int[] indices, int pixelCount)
    {
        var numbers = new int[pixelCount];
        Array.Fill(numbers, -1);
        for (int u = 0; u < indices.Length; u++) numbers[indices[u]] = u;
        return numbers;
    }

    /// <summary>
    /// Solves A_UU x = b by PCG. A is symmetric positive definite, given by its lower triangle in CSR form (rows
    /// ascending, columns ascending within a row, diagonal last). <paramref name="start"/> (overwritten) defaults to
    /// d_B / (d_F + d_B) from the distances to the nearest known pixels. <paramref name="candidates"/>: the operator's
    /// near-null-space vectors per unknown, for the multigrid's coarse levels (<see cref="AggregationMultigrid"/>).
    /// </summary>
    public static UnknownRegionSolution Solve(Trimap trimap, int[] indices, int[] rowStart, int[] columns, double[] lower, double[] rhs,
        UnknownRegionSolverOptions options, double[]? start = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default,
        float[]? candidates = null, int candidateCount = 0)
    {
        int n = indices.Length;
        var (guess, reach) = InitialGuess(trimap, indices);
        var solution = start ?? guess;
        var matrix = new SymmetricSparseMatrix(rowStart, columns, lower, options.MaxDegreeOfParallelism);
        Action<double[], double[]> precondition;
        int levels = 1;
        bool wide = n > options.MultigridAboveUnknowns || reach > options.MultigridBeyondDistance
            || n > options.MultigridAboveUnknownFraction * trimap.Labels.Length;
        // The multigrid's aggregation needs an operator that couples only nearby pixels (closed-form, random walk,
        // Poisson); information flow's colour mixtures couple pixels anywhere, so it stays on incomplete Cholesky.
        bool multigridWanted = options.Preconditioner == MattingPreconditioner.Multigrid || (options.Preconditioner == MattingPreconditioner.Automatic && wide);
        var (gridX, gridY) = multigridWanted ? GridPositions(trimap.Width, indices) : ([], []);
        bool gridLocal = multigridWanted && IsGridLocal(gridX, gridY, rowStart, columns);
        if (options.Preconditioner == MattingPreconditioner.Multigrid && !gridLocal)
            throw new ArgumentException("The multigrid preconditioner needs a system that couples only pixels at most two steps apart.", nameof(options));
        if (gridLocal)
        {
            var multigrid = new AggregationMultigrid(rowStart, columns, lower, gridX, gridY, matrix, options.PreconditionerBlocks, options.MaxDegreeOfParallelism,
                candidates, candidateCount, cancellationToken);
            levels = multigrid.LevelCount;
            precondition = multigrid.Solve;
            // The set-up leaves its transients behind: each coarse level's double-precision Galerkin product (the cycle
            // keeps a single-precision copy), the distance maps, the grid positions, the candidates. Collected before CG
            // allocates its vectors (lemur 12 MP, `bench matte-scale`: peak 964 → 869 MB; about 0.1 s).
            if (n > CollectAfterSetUpAbove) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        else
        {
            precondition = options.PreconditionerDropTolerance > 0
                ? FactorWithoutSmallEntries(rowStart, columns, lower, options).Solve
                : new IncompleteCholesky(rowStart, columns, lower, options.PreconditionerBlocks, matrix.StencilRuns, matrix.ColumnRuns).Solve;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var solve = ConjugateGradient.Solve(matrix.Multiply, precondition, rhs, solution, options.Solver, progress, cancellationToken);
        return new UnknownRegionSolution(solution, solve, levels);
    }

    /// <summary>Unknowns above which the multigrid set-up's garbage is collected before CG.</summary>
    private const int CollectAfterSetUpAbove = 1_000_000;

    /// <summary>Each unknown's grid column and row.</summary>
    private static (int[] X, int[] Y) GridPositions(int width, int[] indices)
    {
        var x = new int[indices.Length];
        var y = new int[indices.Length];
        for (int u = 0; u < indices.Length; u++) (y[u], x[u]) = Math.DivRem(indices[u], width);
        return (x, y);
    }

    /// <summary>Whether every entry couples pixels at most two grid steps apart in each direction.</summary>
    private static bool IsGridLocal(int[] x, int[] y, int[] rowStart, int[] columns)
    {
        for (int i = 0; i < x.Length; i++)
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                int j = columns[e];
                if (Math.Abs(x[i] - x[j]) > 2 || Math.Abs(y[i] - y[j]) > 2) return false;
            }
        return true;
    }

    private static IncompleteCholesky FactorWithoutSmallEntries(int[] rowStart, int[] columns, double[] lower, UnknownRegionSolverOptions options)
    {
        var (factorStart, factorColumns, factorLower) = WithoutSmallEntries(rowStart, columns, lower, options.PreconditionerDropTolerance);
        return new IncompleteCholesky(factorStart, factorColumns, factorLower, options.PreconditionerBlocks);
    }

    /// <summary>The lower triangle without off-diagonal entries below tolerance · √(a_ii a_jj) (diagonal last, kept).</summary>
    private static (int[] RowStart, int[] Columns, double[] Lower) WithoutSmallEntries(int[] rowStart, int[] columns, double[] lower, double tolerance)
    {
        int n = rowStart.Length - 1;
        var diagonal = new double[n];
        for (int i = 0; i < n; i++) diagonal[i] = lower[rowStart[i + 1] - 1];
        bool Kept(int e, int i) => lower[e] * lower[e] >= tolerance * tolerance * diagonal[i] * diagonal[columns[e]];
        // Counted first, then filled: arrays of their final size (growing lists held up to twice the kept entries; the
        // information-flow lemur at 4 MP keeps about 6 M).
        var keptStart = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 1;
            for (int e = rowStart[i]; e < rowStart[i + 1] - 1; e++) if (Kept(e, i)) count++;
            keptStart[i + 1] = keptStart[i] + count;
        }
        var keptColumns = new int[keptStart[n]];
        var keptLower = new double[keptStart[n]];
        for (int i = 0; i < n; i++)
        {
            int at = keptStart[i];
            for (int e = rowStart[i]; e < rowStart[i + 1] - 1; e++)
                if (Kept(e, i)) { keptColumns[at] = columns[e]; keptLower[at++] = lower[e]; }
            keptColumns[at] = i;
            keptLower[at] = diagonal[i];
        }
        return (keptStart, keptColumns, keptLower);
    }

    /// <summary>The matte: 1 on the trimap's foreground, 0 on its background, the solution clamped to [0, 1] on the unknowns.</summary>
    public static AlphaMatte ToMatte(Trimap trimap, int[] indices, double[] values)
    {
        var alpha = new AlphaMatte(trimap.Width, trimap.Height);
        var matte = alpha.Values;
        var labels = trimap.Labels;
        for (int i = 0; i < labels.Length; i++) matte[i] = labels[i] == (byte)TrimapLabel.Foreground ? 1 : 0;
        for (int u = 0; u < indices.Length; u++) matte[indices[u]] = (float)Math.Clamp(values[u], 0, 1);
        return alpha;
    }

    /// <summary>
    /// A start closer to the answer than ½ everywhere: d_B / (d_F + d_B) from the distances to the nearest definite
    /// foreground and background pixel, so CG begins with the right large-scale shape. Also the reach: the 95th
    /// percentile of min(d_F, d_B) over the unknowns, i.e. how far most information has to travel.
    /// </summary>
    private static (double[] Guess, double Reach) InitialGuess(Trimap trimap, int[] indices)
    {
        // The two distance transforms are single-threaded (OpenCV's): run side by side.
        float[] toForeground = [], toBackground = [];
        Parallel.Invoke(() => toForeground = DistanceTo(trimap, TrimapLabel.Foreground), () => toBackground = DistanceTo(trimap, TrimapLabel.Background));
        var guess = new double[indices.Length];
        var histogram = new int[4097]; // 1-pixel bins; the last one holds everything farther
        for (int u = 0; u < guess.Length; u++)
        {
            double f = toForeground[indices[u]], b = toBackground[indices[u]];
            guess[u] = b / (f + b);
            histogram[(int)Math.Min(Math.Min(f, b), histogram.Length - 1)]++;
        }
        long wanted = (long)Math.Ceiling(0.95 * indices.Length), seen = 0;
        int reach = 0;
        while (reach < histogram.Length - 1 && (seen += histogram[reach]) < wanted) reach++;
        return (guess, reach);
    }

    /// <summary>Euclidean distance of every pixel to the nearest pixel with the label.</summary>
    public static float[] DistanceTo(Trimap trimap, TrimapLabel label)
    {
        var labels = trimap.Labels;
        var isLabel = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++) isLabel[i] = labels[i] == (byte)label ? (byte)1 : (byte)0;
        return PixelMaps.DistanceToTargets(isLabel, trimap.Width, trimap.Height);
    }
}
