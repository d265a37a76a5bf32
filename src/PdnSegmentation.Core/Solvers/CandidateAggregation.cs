using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Solvers;

/// <summary>
/// One coarsening step of aggregation multigrid with one or several near-null-space candidates per aggregate (the tentative
/// prolongation of Vaněk, Mandel &amp; Brezina's smoothed aggregation, without the smoothing): P maps an aggregate's
/// coarse unknowns to the candidates restricted to the aggregate and orthonormalised there, and the coarse operator is
/// the Galerkin product Pᵀ A P. A grid node may carry several unknowns (every coarse level does: one per candidate
/// kept in its aggregate). With the constant alone, P is piecewise constant (scaled by 1/√size, which changes nothing:
/// the coarse correction P (Pᵀ A P)⁻¹ Pᵀ does not depend on a per-aggregate scaling of P).
/// <para>
/// Why: the matting Laplacian's near-null space is every α locally affine in the colours (1, R, G, B) and, where the
/// colours are flat, smooth in space (x, y). A piecewise constant P represents only the constants, so the errors CG
/// finds hardest were the ones its coarse levels could not correct.
/// </para>
/// </summary>
internal static class CandidateAggregation
{
    /// <summary>
    /// A candidate is dropped from an aggregate only when it is numerically dependent on the earlier ones there: what is
    /// left after projecting them out is below this fraction of its norm (an aggregate with fewer unknowns than
    /// candidates, saturated or exactly flat channels). One 8-bit step in one pixel of a 4×4 block leaves about 1e-3,
    /// so every colour variation an image can hold is kept. Dropping weak-but-real variation instead (fractions of
    /// 5e-3 to 2e-2, "only noise") doubled to quadrupled CG's iterations on the lemur at 4 and 12 MP.
    /// </summary>
    public const double RankTolerance = 1e-4;

    /// <summary>How the cycle moves vectors between the fine and the coarse level.</summary>
    public sealed class Transfer
    {
        public required int[] Aggregate;    // fine unknown → its aggregate
        public required float[] Weights;    // fine unknown u: P[u, First[a] + k] = Weights[u · Width + k], k below the aggregate's count
        public required int Width;          // candidates per fine unknown in Weights (C)
        public required int[] First;        // aggregate → its first coarse unknown; First[^1] = coarse size
        public required int[] ChunkStart;   // fine unknowns split where the aggregates' grid row changes

        public int CoarseSize => First[^1];

        /// <summary>coarse = Pᵀ fine (parallel: each chunk writes the coarse unknowns of its own aggregates).</summary>
        // A run of consecutive fine unknowns in one aggregate (up to a block side's pixels of a grid row) is summed in
        // registers, four candidates per vector step, and added to the coarse unknowns once: adding each fine unknown's
        // products to memory chained every step of the run through a store and a load (lemur 12 MP, finest level:
        // restrict and prolong together 2× faster).
        public unsafe void Restrict(double[] fine, double[] coarse)
        {
            var aggregate = Aggregate;
            var weights = Weights;
            var first = First;
            var chunkStart = ChunkStart;
            int c = Width;
            Array.Clear(coarse);
            Parallel.For(0, chunkStart.Length - 1, chunk =>
            {
                Span<double> sums = stackalloc double[c];
                fixed (float* w = weights)
                fixed (double* f = fine, to = coarse)
                {
                    int i = chunkStart[chunk], end = chunkStart[chunk + 1];
                    while (i < end)
                    {
                        int a = aggregate[i], o = first[a], k = first[a + 1] - o;
                        var vector = Vector256<double>.Zero;
                        sums.Clear();
                        do
                        {
                            double value = f[i];
                            float* row = w + (long)i * c;
                            int p = 0;
                            if (Avx.IsSupported && k >= 4)
                            {
                                vector = Avx.Add(vector, Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(row)), Vector256.Create(value)));
                                p = 4;
                            }
                            for (; p < k; p++) sums[p] += row[p] * value;
                            i++;
                        }
                        while (i < end && aggregate[i] == a);
                        int q = 0;
                        if (Avx.IsSupported && k >= 4)
                        {
                            Avx.Store(to + o, Avx.Add(Avx.LoadVector256(to + o), vector));
                            q = 4;
                        }
                        for (; q < k; q++) to[o + q] += sums[q];
                    }
                }
            });
        }

        /// <summary>fine += scale · P coarse.</summary>
        public unsafe void AddProlonged(double[] fine, double[] coarse, double scale)
        {
            var aggregate = Aggregate;
            var weights = Weights;
            var first = First;
            int c = Width;
            ParallelVectors.ForChunks(fine.Length, (start, end) =>
            {
                fixed (float* w = weights)
                fixed (double* f = fine, from = coarse)
                {
                    for (int i = start; i < end; i++)
                    {
                        int a = aggregate[i], o = first[a], k = first[a + 1] - o;
                        float* row = w + (long)i * c;
                        double sum = 0;
                        int p = 0;
                        if (Avx.IsSupported && k >= 4)
                        {
                            sum = StencilRows.Sum(Avx.Multiply(Avx.ConvertToVector256Double(Sse.LoadVector128(row)), Avx.LoadVector256(from + o)));
                            p = 4;
                        }
                        for (; p < k; p++) sum += row[p] * from[o + p];
                        f[i] += scale * sum;
                    }
                }
            });
        }
    }

    /// <summary>The coarse level's operator, its nodes and its candidates.</summary>
    public sealed class CoarseSystem
    {
        public required int[] RowStart, Columns;
        public required double[] Lower;
        public required int[] NodeX, NodeY, NodeFirst;
        public required float[] Candidates; // coarse unknown × C: the candidates in the coarse basis (R of each QR)
    }

    /// <param name="nodeFirst">Node → its first unknown (a node's unknowns are consecutive); length nodes + 1.</param>
    /// <param name="nodeX">Grid column of each node, nodes in raster order.</param>
    /// <param name="candidates">Unknown × <paramref name="candidateCount"/> values.</param>
    /// <param name="blockSide">Aggregates are blockSide × blockSide grid blocks of nodes.</param>
    public static (Transfer Transfer, CoarseSystem Coarse) Coarsen(int[] rowStart, int[] columns, double[] lower, int[] nodeFirst,
        int[] nodeX, int[] nodeY, float[] candidates, int candidateCount, int blockSide)
    {
        int n = rowStart.Length - 1, nodes = nodeX.Length, c = candidateCount;
        var (nodeAggregate, coarseX, coarseY) = AggregateSquares(nodeX, nodeY, blockSide);
        int aggregates = coarseX.Length;
        var aggregate = new int[n];
        for (int v = 0; v < nodes; v++)
            for (int u = nodeFirst[v]; u < nodeFirst[v + 1]; u++) aggregate[u] = nodeAggregate[v];
        var (weights, kept, r) = Orthonormalise(aggregate, aggregates, candidates, c);
        var first = new int[aggregates + 1];
        for (int a = 0; a < aggregates; a++) first[a + 1] = first[a] + kept[a];
        int coarseN = first[aggregates];
        var coarseCandidates = new float[coarseN * c];
        for (int a = 0; a < aggregates; a++)
            for (int k = 0; k < kept[a]; k++)
                for (int l = 0; l < c; l++) coarseCandidates[(first[a] + k) * c + l] = (float)r[(a * c + k) * c + l];
        var chunkStart = RowAlignedChunks(aggregate, coarseY);
        var (coarseStart, coarseColumns, coarseLower) = Galerkin(rowStart, columns, lower, aggregate, weights, c, kept, first, coarseX, coarseY, chunkStart);
        var transfer = new Transfer { Aggregate = aggregate, Weights = weights, Width = c, First = first, ChunkStart = chunkStart };
        var coarse = new CoarseSystem
        {
            RowStart = coarseStart, Columns = coarseColumns, Lower = coarseLower,
            NodeX = coarseX, NodeY = coarseY, NodeFirst = first, Candidates = coarseCandidates,
        };
        return (transfer, coarse);
    }

    /// <summary>
    /// Modified Gram–Schmidt of each aggregate's candidates (in double, on a local copy): Q as single-precision weights
    /// (the Galerkin product uses the same rounded weights as the cycle's transfers, so the coarse operator is exactly
    /// theirs), the kept count and R.
    /// </summary>
    private static (float[] Weights, int[] Kept, double[] R) Orthonormalise(int[] aggregate, int aggregates, float[] candidates, int c)
    {
        int n = aggregate.Length;
        // The unknowns of each aggregate, ascending (a counting sort).
        var memberStart = new int[aggregates + 1];
        foreach (int a in aggregate) memberStart[a + 1]++;
        for (int a = 0; a < aggregates; a++) memberStart[a + 1] += memberStart[a];
        var members = new int[n];
        var fill = memberStart[..^1];
        for (int u = 0; u < n; u++) members[fill[aggregate[u]]++] = u;
        int largest = 0;
        for (int a = 0; a < aggregates; a++) largest = Math.Max(largest, memberStart[a + 1] - memberStart[a]);

        var weights = new float[n * c];
        var kept = new int[aggregates];
        var r = new double[aggregates * c * c];
        // Chunks of aggregates, one scratch block each (a delegate per aggregate cost a third of the set-up).
        RowChunks.Run(aggregates, Environment.ProcessorCount, CancellationToken.None, (_, firstAggregate, endAggregate) =>
        {
            var q = new double[largest * c];
            for (int a = firstAggregate; a < endAggregate; a++)
            {
                int start = memberStart[a], m = memberStart[a + 1] - start, k = 0;
                for (int l = 0; l < c; l++)
                {
                    // Column k of q: candidate l, less its projections on the kept columns.
                    double norm = 0;
                    for (int t = 0; t < m; t++)
                    {
                        double value = candidates[members[start + t] * c + l];
                        q[t * c + k] = value;
                        norm += value * value;
                    }
                    for (int p = 0; p < k; p++)
                    {
                        double dot = 0;
                        for (int t = 0; t < m; t++) dot += q[t * c + p] * q[t * c + k];
                        r[(a * c + p) * c + l] = dot;
                        for (int t = 0; t < m; t++) q[t * c + k] -= dot * q[t * c + p];
                    }
                    double left = 0;
                    for (int t = 0; t < m; t++) left += q[t * c + k] * q[t * c + k];
                    if (k < m && left > RankTolerance * RankTolerance * norm)
                    {
                        double length = Math.Sqrt(left);
                        r[(a * c + k) * c + l] = length;
                        for (int t = 0; t < m; t++) q[t * c + k] /= length;
                        k++;
                    }
                }
                for (int t = 0; t < m; t++)
                {
                    int u = members[start + t];
                    for (int p = 0; p < k; p++) weights[u * c + p] = (float)q[t * c + p];
                }
                kept[a] = k;
            }
        });
        return (weights, kept, r);
    }

    /// <summary>
    /// Each node's side × side grid block (x / side, y / side), the blocks numbered in raster order. The nodes of one
    /// row of blocks are consecutive (raster order); the block columns each such run uses are collected and sorted.
    /// </summary>
    internal static (int[] Aggregate, int[] X, int[] Y) AggregateSquares(int[] x, int[] y, int side)
    {
        int n = x.Length;
        var aggregate = new int[n];
        var coarseX = new List<int>();
        var coarseY = new List<int>();
        int width = 0;
        foreach (int v in x) width = Math.Max(width, v / side + 1);
        var number = new int[width];
        var seenInRow = new int[width];
        Array.Fill(seenInRow, -1);
        var used = new List<int>();
        for (int i = 0; i < n;)
        {
            int row = y[i] / side, start = i;
            while (i < n && y[i] / side == row) i++;
            used.Clear();
            for (int p = start; p < i; p++)
            {
                int column = x[p] / side;
                if (seenInRow[column] != row) { seenInRow[column] = row; used.Add(column); }
            }
            used.Sort();
            foreach (int column in used) { number[column] = coarseX.Count; coarseX.Add(column); coarseY.Add(row); }
            for (int p = start; p < i; p++) aggregate[p] = number[x[p] / side];
        }
        return (aggregate, [.. coarseX], [.. coarseY]);
    }

    private const int Slots = 5; // neighbour aggregates (-1,-1) (-1,0) (-1,+1) (0,-1), then the aggregate itself
    /// <summary>Parallel chunks of the Galerkin product and restriction (fixed: results do not depend on the thread count).</summary>
    private const int ParallelChunks = 16;

    /// <summary>
    /// A fixed number of chunks of the fine unknowns, split only where the aggregates' grid row changes. A chunk's
    /// unknowns belong to aggregates no other chunk has, and an entry of row i lands in a block row of i's own coarse
    /// grid row (its partner comes earlier), so restriction and the Galerkin product write disjoint parts in parallel.
    /// </summary>
    private static int[] RowAlignedChunks(int[] aggregate, int[] coarseY)
    {
        int n = aggregate.Length;
        var chunkStart = new int[ParallelChunks + 1];
        chunkStart[ParallelChunks] = n;
        for (int k = 1; k < ParallelChunks; k++)
        {
            int b = Math.Max(chunkStart[k - 1], (int)((long)n * k / ParallelChunks));
            while (b > 0 && b < n && coarseY[aggregate[b]] == coarseY[aggregate[b - 1]]) b++;
            chunkStart[k] = b;
        }
        return chunkStart;
    }

    /// <summary>
    /// Pᵀ A P as blocks between each aggregate and its four earlier 3×3-stencil neighbours, accumulated straight into the
    /// lower triangle of a scalar CSR matrix over the coarse unknowns (columns ascending, diagonal last): a first pass
    /// over the entries finds which neighbour blocks exist, a second adds every entry's products into place.
    /// </summary>
    private static (int[] RowStart, int[] Columns, double[] Lower) Galerkin(int[] rowStart, int[] columns, double[] lower,
        int[] aggregate, float[] weights, int c, int[] kept, int[] first, int[] coarseX, int[] coarseY, int[] chunkStart)
    {
        int aggregates = kept.Length;
        var keys = new long[aggregates];
        for (int a = 0; a < aggregates; a++) keys[a] = ((long)coarseY[a] << 32) | (uint)coarseX[a];
        var present = new bool[aggregates * Slots];
        Parallel.For(0, ParallelChunks, chunk =>
        {
            for (int i = chunkStart[chunk]; i < chunkStart[chunk + 1]; i++)
            {
                int ai = aggregate[i];
                for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    int aj = aggregate[columns[e]];
                    if (aj == ai) continue;
                    int row = Math.Max(ai, aj);
                    present[row * Slots + Slot(row, Math.Min(ai, aj), coarseX, coarseY)] = true;
                }
            }
        });
        // Row (a, p) holds every kept unknown of each present earlier neighbour, then the aggregate's own unknowns up to p.
        // slotOffset: where a slot's block starts within each of the aggregate's rows.
        var slotOffset = new int[aggregates * Slots];
        var neighbour = new int[aggregates * Slots];
        int coarseN = first[aggregates];
        var coarseStart = new int[coarseN + 1];
        for (int a = 0; a < aggregates; a++)
        {
            int before = 0;
            for (int s = 0; s < 4; s++)
            {
                int b = -1;
                slotOffset[a * Slots + s] = before;
                if (present[a * Slots + s])
                {
                    int dy = s < 3 ? -1 : 0, dx = s < 3 ? s - 1 : -1;
                    b = Array.BinarySearch(keys, ((long)(coarseY[a] + dy) << 32) | (uint)(coarseX[a] + dx));
                    before += kept[b];
                }
                neighbour[a * Slots + s] = b;
            }
            slotOffset[a * Slots + 4] = before;
            neighbour[a * Slots + 4] = a;
            for (int p = 0; p < kept[a]; p++) coarseStart[first[a] + p + 1] = before + p + 1;
        }
        for (int u = 0; u < coarseN; u++) coarseStart[u + 1] += coarseStart[u];
        var coarseColumns = new int[coarseStart[coarseN]];
        var coarseLower = new double[coarseStart[coarseN]];
        Parallel.For(0, aggregates, a =>
        {
            for (int p = 0; p < kept[a]; p++)
            {
                int o = coarseStart[first[a] + p];
                for (int s = 0; s < Slots; s++)
                {
                    int b = neighbour[a * Slots + s];
                    if (b < 0) continue;
                    int count = s == 4 ? p + 1 : kept[b];
                    for (int q = 0; q < count; q++) coarseColumns[o++] = first[b] + q;
                }
            }
        });
        // Row by row: the row's entries are first summed per partner aggregate b (u_b = Σ_j a_ij w_j over j in b: c
        // products per entry), then each u_b meets w_i once (k_i · k_b products per partner, not per entry): half the
        // arithmetic of an outer product per entry.
        Parallel.For(0, ParallelChunks, chunk =>
        {
            const int MaxPartners = 9;
            Span<int> partner = stackalloc int[MaxPartners];
            Span<double> sums = stackalloc double[MaxPartners * c];
            for (int i = chunkStart[chunk]; i < chunkStart[chunk + 1]; i++)
            {
                int ai = aggregate[i], wi = i * c, ki = kept[ai];
                int partners = 1;
                partner[0] = ai; // partner 0: the row's own aggregate (without the diagonal entry)
                sums[..(MaxPartners * c)].Clear();
                double diagonal = 0;
                for (int e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    int j = columns[e];
                    double v = lower[e];
                    if (j == i) { diagonal = v; continue; }
                    int aj = aggregate[j], slot = 0;
                    while (slot < partners && partner[slot] != aj) slot++;
                    if (slot == partners)
                    {
                        if (partners == MaxPartners) throw new InvalidOperationException("A row couples more aggregates than a 3×3 neighbourhood holds.");
                        partner[partners++] = aj;
                    }
                    int kj = kept[aj], wj = j * c;
                    var sum = sums.Slice(slot * c, c);
                    for (int q = 0; q < kj; q++) sum[q] += v * weights[wj + q];
                }
                // Own block, lower part: (p, q ≤ p) gets w_i,p u_q + u_p w_i,q + a_ii w_i,p w_i,q.
                int own = slotOffset[ai * Slots + 4];
                for (int p = 0; p < ki; p++)
                {
                    int o = coarseStart[first[ai] + p] + own;
                    double wip = weights[wi + p], up = sums[p];
                    for (int q = 0; q <= p; q++)
                        coarseLower[o + q] += wip * sums[q] + up * weights[wi + q] + diagonal * wip * weights[wi + q];
                }
                for (int slot = 1; slot < partners; slot++)
                {
                    int b = partner[slot], kb = kept[b];
                    var sum = sums.Slice(slot * c, c);
                    if (b < ai)
                    {
                        // Block (ai, b): rows from w_i, columns from u_b.
                        int offset = slotOffset[ai * Slots + Slot(ai, b, coarseX, coarseY)];
                        for (int p = 0; p < ki; p++)
                        {
                            int o = coarseStart[first[ai] + p] + offset;
                            double wip = weights[wi + p];
                            for (int q = 0; q < kb; q++) coarseLower[o + q] += wip * sum[q];
                        }
                    }
                    else
                    {
                        // Block (b, ai): rows from u_b, columns from w_i.
                        int offset = slotOffset[b * Slots + Slot(b, ai, coarseX, coarseY)];
                        for (int p = 0; p < kb; p++)
                        {
                            int o = coarseStart[first[b] + p] + offset;
                            double up = sum[p];
                            for (int q = 0; q < ki; q++) coarseLower[o + q] += up * weights[wi + q];
                        }
                    }
                }
            }
        });
        return (coarseStart, coarseColumns, coarseLower);
    }

    /// <summary>Which of the four earlier 3×3 neighbours <paramref name="column"/> is of <paramref name="row"/>.</summary>
    private static int Slot(int row, int column, int[] coarseX, int[] coarseY)
    {
        int dy = coarseY[column] - coarseY[row], dx = coarseX[column] - coarseX[row];
        if (dy < -1 || dy > 0 || dx < -1 || dx > 1 || (dy == 0 && dx != -1))
            throw new InvalidOperationException("A matrix entry couples nodes of aggregates that are not neighbours.");
        return dy == -1 ? dx + 1 : 3;
    }
}
