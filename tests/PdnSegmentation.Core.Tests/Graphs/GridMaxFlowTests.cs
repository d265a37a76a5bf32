using PdnSegmentation.Graphs;

namespace PdnSegmentation.Tests.Graphs;

public class GridMaxFlowTests
{
    private static readonly (int Dx, int Dy)[] Steps = { (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1) };

    private sealed record RandomGraph(int W, int H, int[] Source, int[] Sink, int[,] Edge /* node, dir */);

    private static RandomGraph MakeGraph(Random random, int w, int h, int maxCap, double density)
    {
        int n = w * h;
        var source = new int[n];
        var sink = new int[n];
        var edge = new int[n, 8];
        for (int i = 0; i < n; i++)
        {
            source[i] = random.NextDouble() < 0.5 ? random.Next(maxCap + 1) : 0;
            sink[i] = random.NextDouble() < 0.5 ? random.Next(maxCap + 1) : 0;
            int x = i % w, y = i / w;
            for (int d = 0; d < 8; d++)
            {
                int nx = x + Steps[d].Dx, ny = y + Steps[d].Dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                if (random.NextDouble() < density) edge[i, d] = random.Next(maxCap + 1);
            }
        }
        return new RandomGraph(w, h, source, sink, edge);
    }

    private static GridMaxFlow Build(RandomGraph g)
    {
        var flow = new GridMaxFlow(g.W, g.H);
        Fill(flow, g);
        return flow;
    }

    private static void Fill(GridMaxFlow flow, RandomGraph g)
    {
        for (int i = 0; i < g.W * g.H; i++)
        {
            int x = i % g.W, y = i / g.W;
            flow.AddTerminalWeights(x, y, g.Source[i], g.Sink[i]);
            // Each edge is set from its lower-direction end so both directions get their own random capacity.
            for (int d = 0; d < 4; d++)
            {
                int nx = x + Steps[d].Dx, ny = y + Steps[d].Dy;
                if (nx < 0 || ny < 0 || nx >= g.W || ny >= g.H) continue;
                int j = ny * g.W + nx;
                flow.SetEdge(x, y, (GridDirection)d, g.Edge[i, d], g.Edge[j, d ^ 4]);
            }
        }
    }

    /// <summary>Cost of a labelling: terminal links cut plus edges from source side to sink side.</summary>
    private static long CutCost(RandomGraph g, Func<int, bool> sourceSide)
    {
        long cost = 0;
        for (int i = 0; i < g.W * g.H; i++)
        {
            bool s = sourceSide(i);
            cost += s ? g.Sink[i] : g.Source[i];
            if (!s) continue;
            int x = i % g.W, y = i / g.W;
            for (int d = 0; d < 8; d++)
            {
                int nx = x + Steps[d].Dx, ny = y + Steps[d].Dy;
                if (nx < 0 || ny < 0 || nx >= g.W || ny >= g.H) continue;
                if (!sourceSide(ny * g.W + nx)) cost += g.Edge[i, d];
            }
        }
        return cost;
    }

    private static long BruteForceMinCut(RandomGraph g)
    {
        int n = g.W * g.H;
        long best = long.MaxValue;
        for (int bits = 0; bits < 1 << n; bits++)
        {
            int b = bits;
            best = Math.Min(best, CutCost(g, i => (b >> i & 1) != 0));
        }
        return best;
    }

    private static long ConstantPart(RandomGraph g)
    {
        long c = 0;
        for (int i = 0; i < g.W * g.H; i++) c += Math.Min(g.Source[i], g.Sink[i]);
        return c;
    }

    [Theory]
    [InlineData(1, 3, 3, 10, 0.9)]
    [InlineData(2, 4, 3, 20, 0.7)]
    [InlineData(3, 3, 4, 5, 1.0)]
    [InlineData(4, 4, 4, 50, 0.5)]
    [InlineData(5, 2, 6, 8, 0.8)]
    [InlineData(6, 1, 12, 9, 1.0)]
    public void MaxFlowEqualsBruteForceMinCutOnRandomGraphs(int seed, int w, int h, int maxCap, double density)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 60; trial++) // 6 × 60 = 360 random graphs
        {
            var g = MakeGraph(random, w, h, maxCap, density);
            var flow = Build(g);
            double value = flow.Solve() + ConstantPart(g);
            long brute = BruteForceMinCut(g);
            Assert.Equal(brute, (long)value);
            Assert.Equal(value, Math.Round(value)); // integer capacities: exact arithmetic
            // The reported partition is a minimum cut, not just the value.
            long partitionCost = CutCost(g, i => flow.IsSourceSide(i % w, i / w));
            Assert.Equal(brute, partitionCost);
        }
    }

    [Fact]
    public void ReusedGraphGivesTheSameAnswerAsAFreshOne()
    {
        var random = new Random(42);
        var flow = new GridMaxFlow(4, 4);
        for (int trial = 0; trial < 30; trial++)
        {
            var g = MakeGraph(random, 4, 4, 30, 0.8);
            flow.Clear();
            Fill(flow, g);
            Assert.Equal(BruteForceMinCut(g), (long)(flow.Solve() + ConstantPart(g)));
        }
    }

    [Theory]
    [InlineData(11, 4, 3)]
    [InlineData(12, 3, 4)]
    [InlineData(13, 2, 6)]
    public void WarmReSolveAfterTerminalChangesEqualsBruteForce(int seed, int w, int h)
    {
        // Dynamic graph cuts: change only terminal capacities and re-solve on the residual graph.
        var random = new Random(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            var g = MakeGraph(random, w, h, 30, 1.0);
            var flow = Build(g);
            flow.Solve();
            for (int round = 0; round < 3; round++)
            {
                var changed = g with { Source = g.Source.Select(_ => random.Next(31)).ToArray(), Sink = g.Sink.Select(_ => random.Next(31)).ToArray() };
                for (int y = 0; y < h; y++)
                {
                    var row = new float[w];
                    for (int x = 0; x < w; x++) row[x] = changed.Source[y * w + x] - changed.Sink[y * w + x];
                    flow.SetTerminalRow(y, row);
                }
                double value = flow.Solve() + ConstantPart(changed);
                long brute = BruteForceMinCut(changed);
                Assert.Equal(brute, (long)Math.Round(value));
                Assert.Equal(brute, CutCost(changed, i => flow.IsSourceSide(i % w, i / w)));
                g = changed;
            }
        }
    }

    [Fact]
    public void WarmReSolvesCutLikeAFreshSolve()
    {
        // The warm solve keeps the flow already pushed. It must end at the same cut as a fresh solve of the same graph
        // (the source side is what the source reaches in the residual graph), also when only some rows change and
        // terminals change sign, and its value must be the maximum flow (a 40×30 grid: against Edmonds–Karp).
        var random = new Random(21);
        var g = MakeGraph(random, 40, 30, 100, 0.9);
        var flow = Build(g);
        flow.Solve();
        for (int round = 0; round < 6; round++)
        {
            var source = (int[])g.Source.Clone();
            var sink = (int[])g.Sink.Clone();
            var rows = Enumerable.Range(0, g.H).Where(_ => random.NextDouble() < 0.5).ToArray();
            foreach (int y in rows)
                for (int x = 0; x < g.W; x++)
                    if (random.NextDouble() < 0.3) (source[y * g.W + x], sink[y * g.W + x]) = (random.Next(101), random.Next(101));
            var changed = g with { Source = source, Sink = sink };
            foreach (int y in rows)
            {
                var row = new float[g.W];
                for (int x = 0; x < g.W; x++) row[x] = source[y * g.W + x] - sink[y * g.W + x];
                flow.SetTerminalRow(y, row);
            }
            double value = flow.Solve() + ConstantPart(changed);
            var fresh = Build(changed);
            double freshValue = fresh.Solve() + ConstantPart(changed);
            Assert.Equal(EdmondsKarp(changed) + ConstantPart(changed), (long)Math.Round(value));
            Assert.Equal(freshValue, value);
            for (int y = 0; y < g.H; y++)
                for (int x = 0; x < g.W; x++)
                    Assert.True(fresh.IsSourceSide(x, y) == flow.IsSourceSide(x, y), $"round {round}: pixel ({x}, {y}) differs");
            g = changed;
        }
    }

    [Fact]
    public void LargeGridMatchesAnIndependentMaxFlow()
    {
        // A 40×30 grid is far beyond brute force; compare against a plain Edmonds–Karp on the same graph.
        var random = new Random(7);
        var g = MakeGraph(random, 40, 30, 100, 0.9);
        var flow = Build(g);
        double value = flow.Solve() + ConstantPart(g);
        Assert.Equal(EdmondsKarp(g) + ConstantPart(g), (long)value);
        Assert.Equal((long)value, CutCost(g, i => flow.IsSourceSide(i % g.W, i / g.W)));
    }

    [Theory]
    [InlineData(31, 2, 6, 3)]
    [InlineData(32, 3, 4, 2)]
    [InlineData(33, 1, 12, 4)]
    public void BandedSolvesEqualBruteForce(int seed, int w, int h, int bands)
    {
        // The band stage removes the seam edges, solves each band, puts the edges back, then one search finishes:
        // value and partition must be the whole graph's minimum cut, also on warm re-solves.
        var random = new Random(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            var g = MakeGraph(random, w, h, 30, 1.0);
            var flow = new GridMaxFlow(w, h) { Bands = bands };
            Fill(flow, g);
            for (int round = 0; round < 3; round++)
            {
                long brute = BruteForceMinCut(g);
                Assert.Equal(brute, (long)Math.Round(flow.Solve() + ConstantPart(g)));
                Assert.Equal(brute, CutCost(g, i => flow.IsSourceSide(i % w, i / w)));
                var changed = g with { Source = g.Source.Select(_ => random.Next(31)).ToArray(), Sink = g.Sink.Select(_ => random.Next(31)).ToArray() };
                for (int y = 0; y < h; y++)
                {
                    var row = new float[w];
                    for (int x = 0; x < w; x++) row[x] = changed.Source[y * w + x] - changed.Sink[y * w + x];
                    flow.SetTerminalRow(y, row);
                }
                g = changed;
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void BandedSolveCutsLikeOneSearch(int bands)
    {
        // 40×30 random grids: the banded solve and one search give the same value (Edmonds–Karp's) and the same
        // partition (what the source reaches in the residual graph), cold and after terminal changes.
        var random = new Random(40 + bands);
        var g = MakeGraph(random, 40, 30, 100, 0.9);
        var banded = new GridMaxFlow(g.W, g.H) { Bands = bands };
        var single = new GridMaxFlow(g.W, g.H) { Bands = 1 };
        Fill(banded, g);
        Fill(single, g);
        for (int round = 0; round < 4; round++)
        {
            double value = banded.Solve() + ConstantPart(g);
            Assert.Equal(EdmondsKarp(g) + ConstantPart(g), (long)Math.Round(value));
            Assert.Equal(single.Solve() + ConstantPart(g), value);
            for (int y = 0; y < g.H; y++)
                for (int x = 0; x < g.W; x++)
                    Assert.True(single.IsSourceSide(x, y) == banded.IsSourceSide(x, y), $"round {round}: pixel ({x}, {y}) differs");
            var source = g.Source.Select(v => random.NextDouble() < 0.3 ? random.Next(101) : v).ToArray();
            var sink = g.Sink.Select(v => random.NextDouble() < 0.3 ? random.Next(101) : v).ToArray();
            g = g with { Source = source, Sink = sink };
            for (int y = 0; y < g.H; y++)
            {
                var row = new float[g.W];
                for (int x = 0; x < g.W; x++) row[x] = source[y * g.W + x] - sink[y * g.W + x];
                banded.SetTerminalRow(y, row);
                single.SetTerminalRow(y, row);
            }
        }
    }

    [Fact]
    public void LargeGridsAreBandedByDefaultAndSmallOnesAreNot()
    {
        Assert.Equal(1, new GridMaxFlow(40, 30).Bands);
        Assert.Equal(2, new GridMaxFlow(200, 200).Bands); // 40 000 pixels: two bands of 16 384 or more
        Assert.Equal(4, new GridMaxFlow(640, 480).Bands);
        Assert.Equal(1, new GridMaxFlow(4000, 40).Bands); // too few rows for two bands of 32
        Assert.Throws<ArgumentOutOfRangeException>(() => new GridMaxFlow(10, 3) { Bands = 4 });
    }

    [Fact]
    public void CancellationDuringTheBandStageLeavesAUsableGraph()
    {
        // Three light bands (pairs of pixels pushing flow to each other) finish at once; the fourth, a dense random
        // 800×300 grid, is still running when the token fires. The solve throws OperationCanceledException, the seam edges
        // are back, and the flow the finished bands pushed is still counted: solving again gives a fresh graph's cut.
        var g = MakeGraph(new Random(5), 800, 1200, 100, 1.0);
        for (int i = 0; i < g.W * 900; i++)
        {
            int x = i % g.W;
            (g.Source[i], g.Sink[i]) = x % 2 == 0 ? (10, 0) : (0, 10);
            for (int d = 0; d < 8; d++) g.Edge[i, d] = d == 0 && x % 2 == 0 ? 7 : 0;
        }
        var flow = Build(g);
        Assert.Equal(4, flow.Bands);
        using var cts = new CancellationTokenSource();
        // From a thread of its own: a timer's callback waits for a pool thread, and the bands may hold them all.
        var canceller = new Thread(() => { Thread.Sleep(50); cts.Cancel(); }); // the dense band alone takes about 0.5 s here
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => flow.Solve(cts.Token));
        canceller.Join();
        var fresh = Build(g);
        Assert.Equal(fresh.Solve(), flow.Solve());
        for (int y = 0; y < g.H; y += 7)
            for (int x = 0; x < g.W; x += 7)
                Assert.True(fresh.IsSourceSide(x, y) == flow.IsSourceSide(x, y), $"pixel ({x}, {y}) differs");
    }

    [Fact]
    public void CancellationStopsTheSolve()
    {
        var g = MakeGraph(new Random(3), 300, 300, 100, 1.0);
        var flow = Build(g);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => flow.Solve(cts.Token));
    }

    private static long EdmondsKarp(RandomGraph g)
    {
        int n = g.W * g.H, s = n, t = n + 1;
        var cap = new Dictionary<(int, int), long>();
        var adj = new List<int>[n + 2];
        for (int i = 0; i < n + 2; i++) adj[i] = new List<int>();
        void Add(int u, int v, long c)
        {
            if (!cap.ContainsKey((u, v))) { cap[(u, v)] = 0; cap.TryAdd((v, u), 0); adj[u].Add(v); adj[v].Add(u); }
            cap[(u, v)] += c;
        }
        for (int i = 0; i < n; i++)
        {
            long m = Math.Min(g.Source[i], g.Sink[i]);
            if (g.Source[i] - m > 0) Add(s, i, g.Source[i] - m);
            if (g.Sink[i] - m > 0) Add(i, t, g.Sink[i] - m);
            int x = i % g.W, y = i / g.W;
            for (int d = 0; d < 8; d++)
            {
                int nx = x + Steps[d].Dx, ny = y + Steps[d].Dy;
                if (nx < 0 || ny < 0 || nx >= g.W || ny >= g.H) continue;
                if (g.Edge[i, d] > 0) Add(i, ny * g.W + nx, g.Edge[i, d]);
            }
        }
        long total = 0;
        var prev = new int[n + 2];
        while (true)
        {
            Array.Fill(prev, -1);
            prev[s] = s;
            var queue = new Queue<int>();
            queue.Enqueue(s);
            while (queue.Count > 0 && prev[t] < 0)
            {
                int u = queue.Dequeue();
                foreach (int v in adj[u])
                    if (prev[v] < 0 && cap[(u, v)] > 0) { prev[v] = u; queue.Enqueue(v); }
            }
            if (prev[t] < 0) return total;
            long b = long.MaxValue;
            for (int v = t; v != s; v = prev[v]) b = Math.Min(b, cap[(prev[v], v)]);
            for (int v = t; v != s; v = prev[v]) { cap[(prev[v], v)] -= b; cap[(v, prev[v])] += b; }
            total += b;
        }
    }
}

public class FlowNetworkTests
{
    /// <summary>The minimum cut by enumeration: every source/sink assignment of the nodes.</summary>
    private static double BruteForceCut(int n, (int U, int V, double F, double B)[] edges, double[] source, double[] sink)
    {
        double best = double.PositiveInfinity;
        for (int code = 0; code < 1 << n; code++)
            best = Math.Min(best, CutValue(code, n, edges, source, sink));
        return best;
    }

    /// <summary>Bit u of <paramref name="sourceSide"/> set = node u on the source side.</summary>
    private static double CutValue(int sourceSide, int n, (int U, int V, double F, double B)[] edges, double[] source, double[] sink)
    {
        double value = 0;
        for (int u = 0; u < n; u++) value += (sourceSide >> u & 1) != 0 ? sink[u] : source[u];
        foreach (var (u, v, f, b) in edges)
        {
            bool su = (sourceSide >> u & 1) != 0, sv = (sourceSide >> v & 1) != 0;
            if (su && !sv) value += f;
            if (sv && !su) value += b;
        }
        return value;
    }

    [Fact]
    public void MaxFlowEqualsTheBruteForceMinimumCutAndTheCutItReports()
    {
        var random = new Random(21);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = 1 + random.Next(9);
            var edges = new List<(int, int, double, double)>();
            for (int u = 0; u < n; u++)
                for (int v = u + 1; v < n; v++)
                    if (random.NextDouble() < 0.4) edges.Add((u, v, random.Next(0, 10), random.Next(0, 10)));
            var e = edges.ToArray();
            var network = new FlowNetwork(n, e);
            for (int solve = 0; solve < 3; solve++) // terminals replaced and solved again on the same structure
            {
                var source = new double[n];
                var sink = new double[n];
                for (int u = 0; u < n; u++)
                {
                    source[u] = random.Next(0, 12);
                    sink[u] = random.Next(0, 12);
                    if (random.NextDouble() < 0.1) source[u] = double.PositiveInfinity;
                    else if (random.NextDouble() < 0.1) sink[u] = double.PositiveInfinity;
                    network.SetTerminals(u, source[u], sink[u]);
                }
                double expected = BruteForceCut(n, e, source, sink);
                double flow = network.Solve();
                Assert.Equal(expected, flow, 1e-9);
                int side = 0;
                for (int u = 0; u < n; u++) if (network.IsSourceSide(u)) side |= 1 << u;
                Assert.Equal(expected, CutValue(side, n, e, source, sink), 1e-9);
            }
        }
    }

    [Fact]
    public void ContradictoryHardConstraintsAreReported()
    {
        var network = new FlowNetwork(2, new[] { (0, 1, double.PositiveInfinity, double.PositiveInfinity) });
        network.SetTerminals(0, double.PositiveInfinity, 0);
        network.SetTerminals(1, 0, double.PositiveInfinity);
        Assert.Throws<InvalidOperationException>(() => network.Solve());
    }
}
