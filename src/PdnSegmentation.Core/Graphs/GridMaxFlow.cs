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
    private int[] _orphans = new int[1024];
    private int _orphanHead, _orphanTail;
    private int _activeFirst = EndOfList, _activeLast = EndOfList;
    private int _time;
    private double _pushed;

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
        int w = _paddedWidth;
        _offset[0] = 1; _offset[1] = w + 1; _offset[2] = w; _offset[3] = w - 1;
        _offset[4] = -1; _offset[5] = -w - 1; _offset[6] = -w; _offset[7] = -w + 1;
    }

    /// <summary>Bytes held by the graph's arrays (for memory reports).</summary>
    public long AllocatedBytes => (long)_nodeCount * (8 * 4 + 4 + 4 + 1 + 1 + 4 + 4 + 4) + _orphans.Length * 4L + Height * 8L;

    /// <summary>
    /// The minimum cut's value after <see cref="Solve"/>: Σ over sink-side pixels of max(source − sink, 0), over
    /// source-side pixels of max(sink − source, 0), plus the cut edges. (The min(source, sink) that both sides
    /// pay is not included; the caller adds it.)
    /// </summary>
    public double CutValue
    {
        get
        {
            double value = _pushed;
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
        _pushed = 0;
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
    public double Solve(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Initialize();
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

            // Grow the tree of i until it touches the other tree.
            int from = -1, to = -1, edgeDir = -1;
            if (_tree[i] == SourceTree)
            {
                int baseI = i * 8;
                for (int d = 0; d < 8; d++)
                {
                    if (_capacity[baseI + d] <= 0) continue;
                    int j = i + _offset[d];
                    if (_parent[j] == ParentNone)
                    {
                        _tree[j] = SourceTree;
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                        SetActive(j);
                    }
                    else if (_tree[j] == SinkTree) { from = i; to = j; edgeDir = d; break; }
                    else if (_timestamp[j] <= _timestamp[i] && _distance[j] > _distance[i])
                    {
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                    }
                }
            }
            else
            {
                for (int d = 0; d < 8; d++)
                {
                    int j = i + _offset[d];
                    if (_capacity[j * 8 + (d ^ 4)] <= 0) continue;
                    if (_parent[j] == ParentNone)
                    {
                        _tree[j] = SinkTree;
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                        SetActive(j);
                    }
                    else if (_tree[j] == SourceTree) { from = j; to = i; edgeDir = d ^ 4; break; }
                    else if (_timestamp[j] <= _timestamp[i] && _distance[j] > _distance[i])
                    {
                        _parent[j] = (byte)(d ^ 4);
                        _timestamp[j] = _timestamp[i];
                        _distance[j] = _distance[i] + 1;
                    }
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
        return CutValue;
    }

    private void Initialize()
    {
        _activeFirst = _activeLast = EndOfList;
        _orphanHead = _orphanTail = 0;
        _time = 0;
        Array.Fill(_parent, ParentNone);
        Array.Clear(_tree);
        Array.Fill(_nextActive, NotActive);
        Array.Clear(_timestamp);
        // Only real nodes (not the padding) can touch a terminal; padding stays free with zero capacities.
        for (int y = 0; y < Height; y++)
        {
            int row = Node(0, y);
            for (int p = row; p < row + Width; p++)
            {
                float t = _terminal[p];
                if (t > 0) { _tree[p] = SourceTree; _parent[p] = ParentTerminal; _distance[p] = 1; SetActive(p); }
                else if (t < 0) { _tree[p] = SinkTree; _parent[p] = ParentTerminal; _distance[p] = 1; SetActive(p); }
            }
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
        _pushed += bottleneck;
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
            if (_tree[i] == SourceTree) AdoptSource(i); else AdoptSink(i);
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

    private void AdoptSource(int i)
    {
        int bestDir = -1, bestDist = Infinite;
        for (int d = 0; d < 8; d++)
        {
            int j = i + _offset[d];
            // A new parent j must reach i through a residual edge j → i.
            if (_tree[j] != SourceTree || _capacity[j * 8 + (d ^ 4)] <= 0) continue;
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
        FreeNode(i, SourceTree);
    }

    private void AdoptSink(int i)
    {
        int bestDir = -1, bestDist = Infinite;
        for (int d = 0; d < 8; d++)
        {
            int j = i + _offset[d];
            if (_tree[j] != SinkTree || _capacity[i * 8 + d] <= 0) continue;
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
        FreeNode(i, SinkTree);
    }

    private void FreeNode(int i, byte tree)
    {
        _tree[i] = Free;
        _parent[i] = ParentNone;
        for (int d = 0; d < 8; d++)
        {
            int j = i + _offset[d];
            if (_tree[j] != tree) continue;
            int par = _parent[j];
            if (par == ParentNone) continue;
            // Neighbours that could re-grow into i become active again.
            bool residualTowardsI = tree == SourceTree ? _capacity[j * 8 + (d ^ 4)] > 0 : _capacity[i * 8 + d] > 0;
            if (residualTowardsI) SetActive(j);
            if (par != ParentTerminal && par != ParentOrphan && j + _offset[par] == i) MakeOrphan(j);
        }
    }
}
