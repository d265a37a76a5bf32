using System.Runtime.CompilerServices;

namespace PdnSegmentation.Graphs;

/// <summary>Directions of the 8-neighbourhood. The reverse of direction d is d ^ 4.</summary>
public enum GridDirection : byte
{
    East = 0, SouthEast = 1, South = 2, SouthWest = 3,
    West = 4, NorthWest = 5, North = 6, NorthEast = 7,
}

/// <summary>
/// Boykov–Kolmogorov max-flow / min-cut ("An experimental comparison of min-cut/max-flow algorithms for energy
/// minimization in vision", PAMI 2004) specialised to a W×H grid with 8-neighbourhood.
/// <para>
/// Why hand-written: OpenCV's GCGraph is not exposed by OpenCvSharp, and a general adjacency-list graph spends
/// most of its time chasing per-edge pointers. Here a node is an index, its neighbours are fixed offsets in a
/// grid padded by one dead node on every side (so no bounds checks), and every field lives in a flat array:
/// 8 residual capacities, a terminal capacity, the parent direction, tree tag, timestamp, distance and active-list
/// link — about 50 bytes a pixel, allocated once and reused across GrabCut iterations.
/// </para>
/// <para>
/// Re-solving after terminal capacities change keeps the residual graph and the flow already pushed (Kohli &amp;
/// Torr, "Dynamic graph cuts", ICCV 2005): the change is applied to the residual terminal capacities and the
/// cut value is reparameterised by a per-node constant. Between GrabCut iterations only the data terms change,
/// so later solves push just the difference.
/// </para>
/// Capacities are float; with integer-valued capacities below 2^24 every sum is exact.
/// </summary>
public sealed class GridMaxFlow
{
    private const byte Free = 0, SourceTree = 1, SinkTree = 2;
    private const byte ParentTerminal = 8, ParentOrphan = 9, ParentNone = 10;
    private const int NotActive = -1, EndOfList = -2;

    public int Width { get; }
    public int Height { get; }
    private readonly int _paddedWidth;
    private readonly int _nodeCount;
    private readonly int[] _offset = new int[8];

    private readonly float[] _capacity;    // residual capacity of edge (node, d), index node * 8 + d
    private readonly float[] _terminal;    // > 0: residual from source; < 0: residual to sink
    private readonly float[] _terminalSet; // source − sink as last set by the caller (before any flow)
    private readonly double[] _rowOffset;  // reparameterisation constants per row (rows are set in parallel)
    private readonly byte[] _parent;       // direction from node to its parent, or ParentTerminal/Orphan/None
    private readonly byte[] _tree;
    private readonly int[] _timestamp;
    private readonly int[] _distance;
    private readonly int[] _nextActive;
    private readonly TreeSearch[] _searches; // one per band; the first also runs single and merging searches
    private float[]? _seamCapacities;

    public GridMaxFlow(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Grid must be non-empty.");
        Width = width;
        Height = height;
        _paddedWidth = width + 2;
        _nodeCount = checked(_paddedWidth * (height + 2));
        _capacity = new float[checked(_nodeCount * 8)];
        _terminal = new float[_nodeCount];
        _terminalSet = new float[_nodeCount];
        _rowOffset = new double[height];
        _parent = new byte[_nodeCount];
        _tree = new byte[_nodeCount];
        _timestamp = new int[_nodeCount];
        _distance = new int[_nodeCount];
        _nextActive = new int[_nodeCount];
        _searches = new TreeSearch[MaxBands];
        for (int k = 0; k < MaxBands; k++) _searches[k] = new TreeSearch(this);
        _bands = Math.Max(1, Math.Min(MaxBands, Math.Min(height / MinBandRows, (int)((long)width * height / MinBandNodes))));
        int w = _paddedWidth;
        _offset[0] = 1; _offset[1] = w + 1; _offset[2] = w; _offset[3] = w - 1;
        _offset[4] = -1; _offset[5] = -w - 1; _offset[6] = -w; _offset[7] = -w + 1;
    }

    /// <summary>Bytes held by the graph's arrays (for memory reports).</summary>
    public long AllocatedBytes => (long)_nodeCount * (8 * 4 + 4 + 4 + 1 + 1 + 4 + 4 + 4) + _searches.Sum(search => search.AllocatedBytes) + (_seamCapacities?.Length ?? 0) * 4L + Height * 8L;

    /// <summary>
    /// The minimum cut's value after <see cref="Solve"/>: Σ over sink-side pixels of max(source − sink, 0), over
    /// source-side pixels of max(sink − source, 0), plus the cut edges. (The min(source, sink) that both sides
    /// pay is not included; the caller adds it.)
    /// </summary>
    public double CutValue
    {
        get
        {
            double value = 0;
            foreach (var search in _searches) value += search.Pushed;
            foreach (double offset in _rowOffset) value += offset;
            return value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Node(int x, int y) => (y + 1) * _paddedWidth + x + 1;

    /// <summary>Zeroes every capacity and the flow so the graph can be filled again (arrays are reused).</summary>
    public void Clear()
    {
        Array.Clear(_capacity);
        Array.Clear(_terminal);
        Array.Clear(_terminalSet);
        Array.Clear(_rowOffset);
        foreach (var search in _searches) search.Pushed = 0;
    }

    /// <summary>
    /// Adds terminal capacities: <paramref name="source"/> is paid if the pixel ends on the sink side,
    /// <paramref name="sink"/> if it ends on the source side. Only the difference is stored; the caller adds
    /// min(source, sink), which both sides pay, to <see cref="CutValue"/> to get the cut's full cost.
    /// </summary>
    public void AddTerminalWeights(int x, int y, float source, float sink)
    {
        int p = Node(x, y);
        _rowOffset[y] += Retarget(p, _terminalSet[p] + source - sink);
    }

    /// <summary>
    /// Sets the terminal capacity differences (source − sink) of row y, replacing earlier values — also after a
    /// <see cref="Solve"/>, when the flow already pushed is kept. Distinct rows may be set in parallel.
    /// </summary>
    public void SetTerminalRow(int y, ReadOnlySpan<float> differences)
    {
        if (differences.Length != Width) throw new ArgumentException("One difference per pixel of the row is needed.", nameof(differences));
        int p = Node(0, y);
        double offset = 0;
        for (int x = 0; x < differences.Length; x++, p++)
            if (differences[x] != _terminalSet[p]) offset += Retarget(p, differences[x]);
        _rowOffset[y] += offset;
    }

    /// <summary>
    /// Moves node p's terminal difference to <paramref name="difference"/> on the residual graph and returns the
    /// constant by which every cut's value shifts relative to the residual cut plus pushed flow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Retarget(int p, float difference)
    {
        float previous = _terminalSet[p];
        float delta = difference - previous;
        float residual = _terminal[p];
        _terminal[p] = residual + delta;
        _terminalSet[p] = difference;
        return (Math.Max(difference, 0f) - (double)Math.Max(previous, 0f)) - (Math.Max(residual + delta, 0f) - (double)Math.Max(residual, 0f));
    }

    /// <summary>Sets the capacity of the edge from (x, y) towards direction d and of its reverse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetEdge(int x, int y, GridDirection direction, float forward, float backward)
    {
        int d = (int)direction;
        int p = Node(x, y);
        int q = p + _offset[d];
        if (!InGrid(x, y, d))
            throw new ArgumentOutOfRangeException(nameof(direction), $"({x},{y}) has no neighbour to the {direction}.");
        _capacity[p * 8 + d] = forward;
        _capacity[q * 8 + (d ^ 4)] = backward;
    }

    /// <summary>
    /// Fast path for a filler that writes a whole row: the residual-capacity slots of (x, y), eight floats in
    /// direction order. The caller must write both directions of each edge and leave edges off the grid at 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> EdgeSlots(int x, int y) => _capacity.AsSpan(Node(x, y) * 8, 8);

    private bool InGrid(int x, int y, int d)
    {
        int dx = d switch { 0 or 1 or 7 => 1, 3 or 4 or 5 => -1, _ => 0 };
        int dy = d switch { 1 or 2 or 3 => 1, 5 or 6 or 7 => -1, _ => 0 };
        int nx = x + dx, ny = y + dy;
        return nx >= 0 && ny >= 0 && nx < Width && ny < Height;
    }

    /// <summary>True when pixel (x, y) is on the source side of the minimum cut found by <see cref="Solve"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSourceSide(int x, int y) => _tree[Node(x, y)] == SourceTree;

    /// <summary>
    /// Row y of the cut: writes 1 for source side and 0 for sink side into <paramref name="destination"/>.
    /// </summary>
    public void CopySourceSideRow(int y, Span<byte> destination)
    {
        int p = Node(0, y);
        var tree = _tree.AsSpan(p, Width);
        for (int x = 0; x < tree.Length; x++) destination[x] = tree[x] == SourceTree ? (byte)1 : (byte)0;
    }

    /// <summary>
    /// Computes the maximum flow (= minimum cut) and returns <see cref="CutValue"/>. A second call after terminal
    /// changes continues from the residual graph of the first.
    /// </summary>
    /// <remarks>
    /// Large grids are solved in two stages (Liu &amp; Sun, "Parallel graph-cuts by adaptive bottom-up merging",
    /// CVPR 2010): the grid is cut into horizontal bands by removing the edges between them, each band's maximum flow
    /// is found on its own, in parallel, and then, with the seams' edges back, one search over the whole grid pushes
    /// what still crosses them. The bands' flows together are a valid flow of the whole graph and their search trees
    /// valid trees of it, so the second search keeps those trees and starts from the nodes beside the seams (merging
    /// them instead of growing new trees saved a further 5 % of GrabCut's time on the GrabCut set). The result is the
    /// whole graph's maximum flow: the source side is every pixel the source still reaches, which does not depend on
    /// how the flow was found. The partition depends only on the grid's size, not on the thread count, so the result
    /// is the same on every machine.
    /// </remarks>
    public double Solve(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Bands > 1) SolveBands(Bands, cancellationToken);
        else _searches[0].Run(0, _nodeCount, cancellationToken);
        return CutValue;
    }

    /// <summary>Threads the band stage of <see cref="Solve"/> may use (default: every core).</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use at least 1.");
    }
    private int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The bands of the first stage (1: none). By default as many as fit with at least <see cref="MinBandRows"/> rows
    /// and <see cref="MinBandNodes"/> pixels each, at most <see cref="MaxBands"/>: four beat two and eight (GrabCut on
    /// the GrabCut set's boxes, 2 cores: the whole segmentation took 26 %, 22 % and 20 % less time than with one
    /// search) and tie with two on the Berkeley set's smaller boxes (both 14 % less); small bands leave more of the work
    /// to the second stage. Tests set it to partition small grids.
    /// </summary>
    internal int Bands
    {
        get => _bands;
        set => _bands = value >= 1 && value <= Math.Min(MaxBands, Height) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"Use 1 to {Math.Min(MaxBands, Height)} bands.");
    }
    private int _bands;

    internal const int MaxBands = 4, MinBandRows = 32, MinBandNodes = 16_384;

    private void SolveBands(int bands, CancellationToken cancellationToken)
    {
        _seamCapacities ??= new float[(MaxBands - 1) * 6 * Width];
        SwapSeamEdges(bands);
        try
        {
            // A band cancelled by this token makes Parallel.For throw OperationCanceledException itself.
            var options = new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism, CancellationToken = cancellationToken };
            Parallel.For(0, bands, options, k =>
            {
                // A band owns its rows with their padding columns; the first and last also own the padding rows.
                int first = k == 0 ? 0 : Node(-1, SeamRow(k, bands));
                int end = k == bands - 1 ? _nodeCount : Node(-1, SeamRow(k + 1, bands));
                _searches[k].Run(first, end, cancellationToken);
            });
        }
        finally
        {
            // No flow crosses a removed edge, so its residual capacity is what it was.
            SwapSeamEdges(bands);
        }
        Span<int> seamRows = stackalloc int[2 * (MaxBands - 1)];
        for (int k = 1; k < bands; k++)
        {
            seamRows[2 * k - 2] = Node(0, SeamRow(k, bands) - 1);
            seamRows[2 * k - 1] = Node(0, SeamRow(k, bands));
        }
        _searches[0].Merge(_searches.AsSpan(0, bands), seamRows[..(2 * bands - 2)], Width, cancellationToken);
    }

    /// <summary>
    /// Exchanges the edge slots of every seam with the saved ones (which hold zeros while the graph has its edges):
    /// the first call removes the seams' edges, the second puts them back. The seam above band k joins rows
    /// seam − 1 and seam: per column, the upper pixel's three downward slots and the lower pixel's three upward ones.
    /// </summary>
    private void SwapSeamEdges(int bands)
    {
        int w = Width;
        for (int k = 1; k < bands; k++)
        {
            int seam = SeamRow(k, bands);
            var saved = _seamCapacities.AsSpan((k - 1) * 6 * w, 6 * w);
            for (int x = 0; x < w; x++)
            {
                int above = Node(x, seam - 1) * 8, below = Node(x, seam) * 8;
                for (int d = 1; d <= 3; d++)
                {
                    (saved[6 * x + d - 1], _capacity[above + d]) = (_capacity[above + d], saved[6 * x + d - 1]);
                    (saved[6 * x + d + 2], _capacity[below + d + 4]) = (_capacity[below + d + 4], saved[6 * x + d + 2]);
                }
            }
        }
    }

    /// <summary>First row of band k (of <paramref name="bands"/>); band k's rows end where band k + 1's begin.</summary>
    private int SeamRow(int k, int bands) => (int)((long)Height * k / bands);

    /// <summary>
    /// One Boykov–Kolmogorov search: a source and a sink tree grown from the nodes in [first, end) that still have
    /// terminal capacity, augmenting wherever they meet, until no active node is left. Several searches run at once
    /// on disjoint node ranges whose connecting edges have been removed; each keeps its own active list, orphan queue
    /// and clock, and writes only its own nodes and edges.
    /// </summary>
    private sealed class TreeSearch(GridMaxFlow graph)
    {
        private readonly float[] _capacity = graph._capacity;
        private readonly float[] _terminal = graph._terminal;
        private readonly byte[] _parent = graph._parent;
        private readonly byte[] _tree = graph._tree;
        private readonly int[] _timestamp = graph._timestamp;
        private readonly int[] _distance = graph._distance;
        private readonly int[] _nextActive = graph._nextActive;
        private readonly int[] _offset = graph._offset;
        private int[] _orphans = new int[1024];
        private int _orphanHead, _orphanTail;
        private int _activeFirst = EndOfList, _activeLast = EndOfList;
        private int _time;

        /// <summary>The flow this search has pushed since the graph was cleared (kept when a solve is cancelled: the flow stays in the graph).</summary>
        public double Pushed { get; set; }

        public long AllocatedBytes => _orphans.Length * 4L;

        /// <summary>Finds the maximum flow among nodes [first, end), growing both trees afresh.</summary>
        public void Run(int first, int end, CancellationToken cancellationToken)
        {
            Initialize(first, end);
            Grow(cancellationToken);
        }

        /// <summary>
        /// Continues from the trees the band searches left (each band's nodes all passive: every residual edge of a
        /// tree node within its band leads into the same tree) once the seams' edges are back: only tree nodes on the
        /// rows beside a seam can have new neighbours, so they are the active ones. The clock starts after every
        /// band's, so no distance a band cached counts as current.
        /// </summary>
        public void Merge(ReadOnlySpan<TreeSearch> bands, ReadOnlySpan<int> seamRows, int rowLength, CancellationToken cancellationToken)
        {
            _activeFirst = _activeLast = EndOfList;
            _orphanHead = _orphanTail = 0;
            foreach (var band in bands) _time = Math.Max(_time, band._time);
            foreach (int rowStart in seamRows)
                for (int p = rowStart; p < rowStart + rowLength; p++)
                    if (_tree[p] != Free) SetActive(p);
            Grow(cancellationToken);
        }

        private void Grow(CancellationToken cancellationToken)
        {
            int current = -1;
            int iterations = 0;
            while (true)
            {
                if ((++iterations & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();

                int i = current;
                if (i >= 0)
                {
                    _nextActive[i] = NotActive; // it was taken off the list; re-activated below if still useful
                    if (_parent[i] == ParentNone) i = -1;
                }
                if (i < 0)
                {
                    i = NextActive();
                    if (i < 0) break;
                }

                // Grow the tree of i along residual edges in its direction (out of i in the source tree, into i in
                // the sink tree) until it touches the other tree; from → to is then the edge that joins them.
                int from = -1, to = -1, edgeDir = -1;
                byte tree = _tree[i];
                bool sourceTree = tree == SourceTree;
                for (int d = 0; d < 8; d++)
                {
                    int j = i + _offset[d];
                    if (_capacity[sourceTree ? i * 8 + d : j * 8 + (d ^ 4)] <= 0) continue;
                    if (_parent[j] == ParentNone)
                    {
                        _tree[j] = tree;
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                        SetActive(j);
                    }
                    else if (_tree[j] != tree)
                    {
                        (from, to, edgeDir) = sourceTree ? (i, j, d) : (j, i, d ^ 4);
                        break;
                    }
                    else if (_timestamp[j] <= _timestamp[i] && _distance[j] > _distance[i])
                    {
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                    }
                }

                _time++;
                if (from >= 0)
                {
                    // Keep i as the current node: it may still have paths to the other tree.
                    _nextActive[i] = i;
                    current = i;
                    Augment(from, to, edgeDir);
                    AdoptOrphans();
                }
                else current = -1;
            }
        }

        private void Initialize(int first, int end)
        {
            _activeFirst = _activeLast = EndOfList;
            _orphanHead = _orphanTail = 0;
            _time = 0;
            int count = end - first;
            _parent.AsSpan(first, count).Fill(ParentNone);
            _tree.AsSpan(first, count).Clear();
            _nextActive.AsSpan(first, count).Fill(NotActive);
            _timestamp.AsSpan(first, count).Clear();
            // Padding nodes have no terminal capacity, so they stay free.
            for (int p = first; p < end; p++)
            {
                float t = _terminal[p];
                if (t > 0) { _tree[p] = SourceTree; _parent[p] = ParentTerminal; _distance[p] = 1; SetActive(p); }
                else if (t < 0) { _tree[p] = SinkTree; _parent[p] = ParentTerminal; _distance[p] = 1; SetActive(p); }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SetActive(int node)
        {
            if (_nextActive[node] != NotActive) return;
            if (_activeLast == EndOfList) _activeFirst = node;
            else _nextActive[_activeLast] = node;
            _activeLast = node;
            _nextActive[node] = node; // self-link marks the tail
        }

        private int NextActive()
        {
            while (_activeFirst != EndOfList)
            {
                int i = _activeFirst;
                int next = _nextActive[i];
                _activeFirst = next == i ? EndOfList : next;
                if (_activeFirst == EndOfList) _activeLast = EndOfList;
                _nextActive[i] = NotActive;
                if (_parent[i] != ParentNone) return i;
            }
            return -1;
        }

        private void Augment(int from, int to, int edgeDir)
        {
            // Bottleneck along source → … → from → to → … → sink.
            float bottleneck = _capacity[from * 8 + edgeDir];
            for (int i = from; ;)
            {
                int par = _parent[i];
                if (par == ParentTerminal) { bottleneck = Math.Min(bottleneck, _terminal[i]); break; }
                int p = i + _offset[par];
                bottleneck = Math.Min(bottleneck, _capacity[p * 8 + (par ^ 4)]);
                i = p;
            }
            for (int i = to; ;)
            {
                int par = _parent[i];
                if (par == ParentTerminal) { bottleneck = Math.Min(bottleneck, -_terminal[i]); break; }
                bottleneck = Math.Min(bottleneck, _capacity[i * 8 + par]);
                i += _offset[par];
            }

            _capacity[from * 8 + edgeDir] -= bottleneck;
            _capacity[to * 8 + (edgeDir ^ 4)] += bottleneck;
            for (int i = from; ;)
            {
                int par = _parent[i];
                if (par == ParentTerminal)
                {
                    _terminal[i] -= bottleneck;
                    if (_terminal[i] <= 0) { _terminal[i] = 0; MakeOrphan(i); }
                    break;
                }
                int p = i + _offset[par];
                int e = p * 8 + (par ^ 4);
                _capacity[i * 8 + par] += bottleneck;
                _capacity[e] -= bottleneck;
                if (_capacity[e] <= 0) { _capacity[e] = 0; MakeOrphan(i); }
                i = p;
            }
            for (int i = to; ;)
            {
                int par = _parent[i];
                if (par == ParentTerminal)
                {
                    _terminal[i] += bottleneck;
                    if (_terminal[i] >= 0) { _terminal[i] = 0; MakeOrphan(i); }
                    break;
                }
                int p = i + _offset[par];
                int e = i * 8 + par;
                _capacity[p * 8 + (par ^ 4)] += bottleneck;
                _capacity[e] -= bottleneck;
                if (_capacity[e] <= 0) { _capacity[e] = 0; MakeOrphan(i); }
                i = p;
            }
            Pushed += bottleneck;
        }

        private void MakeOrphan(int node)
        {
            _parent[node] = ParentOrphan;
            if (_orphanTail == _orphans.Length)
            {
                // Processed entries at the front of the FIFO are dead: slide the live ones down, grow only if full.
                int live = _orphanTail - _orphanHead;
                if (_orphanHead > 0) Array.Copy(_orphans, _orphanHead, _orphans, 0, live);
                _orphanHead = 0;
                _orphanTail = live;
                if (live == _orphans.Length) Array.Resize(ref _orphans, _orphans.Length * 2);
            }
            _orphans[_orphanTail++] = node;
        }

        private void AdoptOrphans()
        {
            while (_orphanHead < _orphanTail)
            {
                int i = _orphans[_orphanHead++];
                if (_orphanHead == _orphanTail) _orphanHead = _orphanTail = 0;
                Adopt(i, _tree[i]);
            }
        }

        private const int Infinite = int.MaxValue;

        /// <summary>Length of the path from j to its terminal, or Infinite if it ends at an orphan; caches on the way.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int OriginDistance(int j)
        {
            int d = 0;
            int k = j;
            while (true)
            {
                if (_timestamp[k] == _time) { d += _distance[k]; break; }
                int par = _parent[k];
                d++;
                if (par == ParentTerminal) { _timestamp[k] = _time; _distance[k] = 1; break; }
                if (par == ParentOrphan || par == ParentNone) return Infinite;
                k += _offset[par];
            }
            // Mark the path so later searches stop early.
            for (int m = j; _timestamp[m] != _time; m += _offset[_parent[m]])
            {
                _timestamp[m] = _time;
                _distance[m] = d--;
            }
            return _distance[j];
        }

        // Adoption and freeing test an edge's residual capacity before looking at the node across it: a removed seam
        // edge has none both ways, so a band never reads a node another band is writing.

        /// <summary>
        /// Finds orphan i a new parent in its own tree — the neighbour nearest its terminal among those joined to i by
        /// a residual edge in the tree's direction (j → i in the source tree, i → j in the sink tree) — or frees it.
        /// </summary>
        private void Adopt(int i, byte tree)
        {
            bool sourceTree = tree == SourceTree;
            int bestDir = -1, bestDist = Infinite;
            for (int d = 0; d < 8; d++)
            {
                int j = i + _offset[d];
                if (_capacity[sourceTree ? j * 8 + (d ^ 4) : i * 8 + d] <= 0 || _tree[j] != tree) continue;
                if (_parent[j] == ParentNone) continue;
                int dist = OriginDistance(j);
                if (dist < bestDist) { bestDist = dist; bestDir = d; }
            }
            if (bestDir >= 0)
            {
                _parent[i] = (byte)bestDir;
                _timestamp[i] = _time;
                _distance[i] = bestDist + 1;
                return;
            }
            FreeNode(i, tree);
        }

        private void FreeNode(int i, byte tree)
        {
            _tree[i] = Free;
            _parent[i] = ParentNone;
            for (int d = 0; d < 8; d++)
            {
                int j = i + _offset[d];
                // A tree node's parent edge always has residual capacity (a saturated one makes it an orphan), so a
                // neighbour joined to i by no residual edge either way can neither re-grow into i nor hang from it.
                bool towardsI = _capacity[j * 8 + (d ^ 4)] > 0, fromI = _capacity[i * 8 + d] > 0;
                if (!towardsI && !fromI) continue;
                if (_tree[j] != tree) continue;
                int par = _parent[j];
                if (par == ParentNone) continue;
                // Neighbours that could re-grow into i become active again.
                if (tree == SourceTree ? towardsI : fromI) SetActive(j);
                if (par != ParentTerminal && par != ParentOrphan && j + _offset[par] == i) MakeOrphan(j);
            }
        }
    }
}
