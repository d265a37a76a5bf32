namespace PdnSegmentation.Graphs;

/// <summary>
/// Max-flow / min-cut on a general sparse graph with source and sink terminals (Dinic's blocking flows), for graphs
/// that are not pixel grids: Lazy Snapping's region adjacency graph. The structure (adjacency in CSR form, n-link
/// capacities) is built once; terminal capacities can be replaced and the cut solved again without rebuilding —
/// what an added stroke needs. Hand-written: neither OpenCvSharp nor MathNet exposes a max-flow; for a few tens of
/// thousands of regions a fresh Dinic solve takes milliseconds, so no warm start is kept.
/// </summary>
public sealed class FlowNetwork
{
    private readonly int _nodes, _source, _sink;
    private readonly int[] _first;     // CSR: arcs of node u are _first[u].._first[u + 1] − 1
    private readonly int[] _head;      // arc → its head node
    private readonly int[] _reverse;   // arc → its reverse arc
    private readonly double[] _capacity, _residual;
    private readonly int[] _sourceArc, _sinkArc; // node → its s→node and node→t arcs
    private readonly int[] _level, _next, _queue, _pathArcs;

    public int NodeCount => _nodes;

    /// <param name="edges">Undirected neighbour pairs with the capacity each way (u→v, v→u).</param>
    public FlowNetwork(int nodeCount, ReadOnlySpan<(int U, int V, double Forward, double Backward)> edges)
    {
        if (nodeCount < 1) throw new ArgumentOutOfRangeException(nameof(nodeCount));
        _nodes = nodeCount;
        _source = nodeCount;
        _sink = nodeCount + 1;
        int total = nodeCount + 2;
        var degree = new int[total + 1];
        foreach (var (u, v, _, _) in edges)
        {
            if ((uint)u >= (uint)nodeCount || (uint)v >= (uint)nodeCount || u == v) throw new ArgumentException($"Bad edge ({u}, {v}).", nameof(edges));
            degree[u]++; degree[v]++;
        }
        for (int u = 0; u < nodeCount; u++) { degree[u] += 2; }
        degree[_source] = nodeCount;
        degree[_sink] = nodeCount;
        _first = new int[total + 1];
        for (int u = 0; u < total; u++) _first[u + 1] = _first[u] + degree[u];
        int arcs = _first[total];
        _head = new int[arcs];
        _reverse = new int[arcs];
        _capacity = new double[arcs];
        _residual = new double[arcs];
        var fill = _first[..total];
        void Pair(int u, int v, double forward, double backward)
        {
            int a = fill[u]++, b = fill[v]++;
            _head[a] = v; _head[b] = u;
            _reverse[a] = b; _reverse[b] = a;
            _capacity[a] = forward; _capacity[b] = backward;
        }
        foreach (var (u, v, f, b) in edges)
        {
            if (!(f >= 0) || !(b >= 0)) throw new ArgumentException("Capacities must be non-negative.", nameof(edges));
            Pair(u, v, f, b);
        }
        _sourceArc = new int[nodeCount];
        _sinkArc = new int[nodeCount];
        for (int u = 0; u < nodeCount; u++)
        {
            _sourceArc[u] = fill[_source];
            Pair(_source, u, 0, 0);
            _sinkArc[u] = fill[u];
            Pair(u, _sink, 0, 0);
        }
        _level = new int[total];
        _next = new int[total];
        _queue = new int[total];
        _pathArcs = new int[total];
    }

    /// <summary>
    /// Replaces node u's terminal costs: <paramref name="source"/> is paid if u ends on the sink side,
    /// <paramref name="sink"/> if it ends on the source side (use +∞ for a hard constraint).
    /// </summary>
    public void SetTerminals(int u, double source, double sink)
    {
        if (double.IsNaN(source) || double.IsNaN(sink) || source < 0 || sink < 0) throw new ArgumentOutOfRangeException(nameof(source));
        _capacity[_sourceArc[u]] = source;
        _capacity[_sinkArc[u]] = sink;
    }

    /// <summary>Solves from scratch with the current capacities; returns the minimum cut's value.</summary>
    public double Solve(CancellationToken cancellationToken = default)
    {
        // Both sides pay min(source, sink): push it straight through so the search sees only the difference.
        _capacity.CopyTo(_residual, 0);
        double flow = 0;
        for (int u = 0; u < _nodes; u++)
        {
            int sa = _sourceArc[u], ta = _sinkArc[u];
            double common = Math.Min(_residual[sa], _residual[ta]);
            if (common > 0 && !double.IsPositiveInfinity(common))
            {
                _residual[sa] -= common; _residual[ta] -= common;
                flow += common;
            }
        }
        while (BuildLevels())
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Copy(_first, _next, _next.Length);
            double pushed;
            while ((pushed = Augment()) > 0) flow += pushed;
        }
        return flow;
    }

    /// <summary>After <see cref="Solve"/>: true when u is on the source side of the minimum cut.</summary>
    public bool IsSourceSide(int u) => _level[u] >= 0;

    private const double Epsilon = 1e-12;

    /// <summary>Breadth-first levels from the source over residual arcs; false once the sink is unreachable.</summary>
    private bool BuildLevels()
    {
        Array.Fill(_level, -1);
        int head = 0, tail = 0;
        _queue[tail++] = _source;
        _level[_source] = 0;
        while (head < tail)
        {
            int u = _queue[head++];
            for (int a = _first[u]; a < _first[u + 1]; a++)
            {
                int v = _head[a];
                if (_level[v] < 0 && _residual[a] > Epsilon)
                {
                    _level[v] = _level[u] + 1;
                    _queue[tail++] = v;
                }
            }
        }
        return _level[_sink] >= 0;
    }

    /// <summary>One augmenting path in the level graph (iterative depth-first search with current-arc pointers).</summary>
    private double Augment()
    {
        int depth = 0, u = _source;
        while (true)
        {
            if (u == _sink)
            {
                double bottleneck = double.PositiveInfinity;
                for (int i = 0; i < depth; i++) bottleneck = Math.Min(bottleneck, _residual[_pathArcs[i]]);
                if (double.IsPositiveInfinity(bottleneck))
                    throw new InvalidOperationException("A path of infinite capacity joins source and sink: hard constraints contradict each other.");
                for (int i = 0; i < depth; i++)
                {
                    int a = _pathArcs[i];
                    _residual[a] -= bottleneck;
                    _residual[_reverse[a]] += bottleneck;
                }
                return bottleneck;
            }
            int advanced = -1;
            for (ref int a = ref _next[u]; a < _first[u + 1]; a++)
            {
                int v = _head[a];
                if (_residual[a] > Epsilon && _level[v] == _level[u] + 1) { advanced = a; break; }
            }
            if (advanced >= 0)
            {
                _pathArcs[depth++] = advanced;
                u = _head[advanced];
                continue;
            }
            // Dead end: retire u from this phase and step back.
            _level[u] = int.MaxValue;
            if (depth == 0) return 0;
            int back = _pathArcs[--depth];
            u = _head[_reverse[back]];
            _next[u]++;
        }
    }
}
