namespace PdnSegmentation.Neighbours;

/// <summary>
/// Exact k-nearest-neighbour search (squared Euclidean) over fixed-dimension float points: a k-d tree stored in one
/// permutation array (each range's median is its node, split on the dimension of widest spread), searched
/// best-side-first with a bounded max-heap. Why hand-written rather than OpenCV's FLANN: FLANN's k-d trees are
/// approximate (randomised trees, bounded checks) and search a query batch on one thread; the matting systems built
/// from these neighbours are compared with exact-search references, and queries here run in parallel without
/// copying the points into native matrices.
/// </summary>
public sealed class KdTree
{
    private const int LeafSize = 12;
    private const int ParallelBuildAbove = 50_000;
    private readonly float[] _points;
    private readonly int _dimensions;
    private readonly int[] _order;     // point numbers; each range [lo, hi) with more than LeafSize points has its node at the middle
    private readonly byte[] _splitDimension;

    public int Count { get; }
    public int Dimensions => _dimensions;

    /// <param name="points">Count × dimensions values, point after point (kept, not copied).</param>
    public KdTree(float[] points, int dimensions)
    {
        if (dimensions is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(dimensions));
        if (points.Length % dimensions != 0) throw new ArgumentException("The values must be whole points.", nameof(points));
        _points = points;
        _dimensions = dimensions;
        Count = points.Length / dimensions;
        _order = new int[Count];
        for (int i = 0; i < Count; i++) _order[i] = i;
        _splitDimension = new byte[Count];
        Build(0, Count);
    }

    private void Build(int lo, int hi)
    {
        while (hi - lo > LeafSize)
        {
            int dimension = WidestDimension(lo, hi);
            int mid = (lo + hi) >>> 1;
            Select(lo, hi - 1, mid, dimension);
            _splitDimension[mid] = (byte)dimension;
            if (hi - lo > ParallelBuildAbove)
            {
                // Both halves are disjoint ranges of the permutation: built at once, the same tree either way.
                int l = lo, h = hi;
                Parallel.Invoke(() => Build(l, mid), () => Build(mid + 1, h));
                return;
            }
            // Recurse into the smaller side, loop on the larger: the stack stays logarithmic.
            if (mid - lo < hi - mid - 1) { Build(lo, mid); lo = mid + 1; }
            else { Build(mid + 1, hi); hi = mid; }
        }
    }

    private int WidestDimension(int lo, int hi)
    {
        int best = 0;
        float widest = -1;
        for (int d = 0; d < _dimensions; d++)
        {
            float min = float.MaxValue, max = float.MinValue;
            for (int i = lo; i < hi; i++)
            {
                float v = _points[_order[i] * _dimensions + d];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            if (max - min > widest) { widest = max - min; best = d; }
        }
        return best;
    }

    /// <summary>Quickselect: the point with rank <paramref name="k"/> along the dimension lands at k, smaller ones before it.</summary>
    private void Select(int lo, int hi, int k, int dimension)
    {
        while (hi > lo)
        {
            float pivot = Value((lo + hi) >>> 1, dimension);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (Value(i, dimension) < pivot) i++;
                while (Value(j, dimension) > pivot) j--;
                if (i <= j) { (_order[i], _order[j]) = (_order[j], _order[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    private float Value(int position, int dimension) => _points[_order[position] * _dimensions + dimension];

    /// <summary>
    /// The <paramref name="indices"/>.Length nearest points to <paramref name="query"/>, nearest first, with their
    /// squared distances; <paramref name="exclude"/> (e.g. the query's own point) is skipped. Returns how many were found.
    /// </summary>
    public unsafe int Nearest(ReadOnlySpan<float> query, Span<int> indices, Span<float> distances, int exclude = -1)
    {
        int k = indices.Length;
        if (distances.Length < k) throw new ArgumentException("One distance per index is needed.", nameof(distances));
        if (query.Length != _dimensions) throw new ArgumentException("The query must have the points' dimensions.", nameof(query));
        if (k == 0) return 0;
        float* offsets = stackalloc float[_dimensions];
        new Span<float>(offsets, _dimensions).Clear();
        int found;
        fixed (float* points = _points, q = query, heapDistances = distances)
        fixed (int* order = _order, heapIndices = indices)
        fixed (byte* split = _splitDimension)
        {
            var search = new Search(points, order, split, _dimensions, q, heapIndices, heapDistances, k, exclude, offsets);
            search.Visit(0, Count, 0);
            found = search.Found;
        }
        // The heap (largest first) to ascending order.
        for (int end = found - 1; end > 0; end--)
        {
            (indices[0], indices[end]) = (indices[end], indices[0]);
            (distances[0], distances[end]) = (distances[end], distances[0]);
            SiftDown(indices, distances, 0, end);
        }
        return found;
    }

    /// <summary>
    /// One query's search, best side first. A far side is entered only when the query's squared distance to its cell —
    /// kept incrementally over the split planes crossed on the way down, one offset per dimension (Arya &amp; Mount,
    /// 1993) — is below the current k-th distance. Testing only the last plane crossed (as before) entered cells far away
    /// in another dimension; with pointers instead of spans through the recursion, information flow's known-to-unknown
    /// search (position weighted 10×) on the lemur at 4 MP took 54 → 32 s (and 9 s with its sampled known pixels).
    /// Only cells that cannot hold a nearer point are skipped, and points are offered in the same order: the same
    /// neighbours are found.
    /// </summary>
    private unsafe struct Search(float* points, int* order, byte* split, int dimensions, float* query, int* indices, float* distances, int k, int exclude,
        float* offsets)
    {
        public int Found;

        public void Visit(int lo, int hi, float cellDistance)
        {
            if (hi - lo <= LeafSize)
            {
                for (int i = lo; i < hi; i++) Offer(order[i]);
                return;
            }
            int mid = (lo + hi) >>> 1;
            int dimension = split[mid];
            float difference = query[dimension] - points[order[mid] * dimensions + dimension];
            Offer(order[mid]);
            bool lowFirst = difference < 0;
            if (lowFirst) Visit(lo, mid, cellDistance);
            else Visit(mid + 1, hi, cellDistance);
            float previous = offsets[dimension];
            float farDistance = cellDistance - previous * previous + difference * difference;
            if (Found < k || farDistance < distances[0])
            {
                offsets[dimension] = difference;
                if (lowFirst) Visit(mid + 1, hi, farDistance);
                else Visit(lo, mid, farDistance);
                offsets[dimension] = previous;
            }
        }

        private void Offer(int point)
        {
            if (point == exclude) return;
            float distance = 0;
            float* p = points + point * dimensions;
            for (int d = 0; d < dimensions; d++)
            {
                float v = query[d] - p[d];
                distance += v * v;
            }
            if (Found < k)
            {
                // Sift up into the max-heap.
                int child = Found++;
                while (child > 0)
                {
                    int parent = (child - 1) >> 1;
                    if (distances[parent] >= distance) break;
                    indices[child] = indices[parent];
                    distances[child] = distances[parent];
                    child = parent;
                }
                indices[child] = point;
                distances[child] = distance;
            }
            else if (distance < distances[0])
            {
                indices[0] = point;
                distances[0] = distance;
                SiftDown(new Span<int>(indices, k), new Span<float>(distances, k), 0, k);
            }
        }
    }

    private static void SiftDown(Span<int> indices, Span<float> distances, int at, int size)
    {
        int index = indices[at];
        float distance = distances[at];
        while (true)
        {
            int child = 2 * at + 1;
            if (child >= size) break;
            if (child + 1 < size && distances[child + 1] > distances[child]) child++;
            if (distances[child] <= distance) break;
            indices[at] = indices[child];
            distances[at] = distances[child];
            at = child;
        }
        indices[at] = index;
        distances[at] = distance;
    }
}
