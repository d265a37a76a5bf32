namespace PdnSegmentation.Scissors;

/// <summary>
/// One outline as a closed polyline parametrised by arc length, oriented so that the object lies on the side of
/// n = (−d_y, d_x) for every edge direction d (inside an outer outline, outside a hole), with a bucket grid for the
/// nearest point of the outline to a pixel: its arc position s and its distance, signed + on the object side.
/// </summary>
internal sealed class OutlineGeometry
{
    private readonly double[] _x, _y, _s;   // vertices and arc length at each; _s[Count] = Perimeter
    private readonly double[] _nx, _ny;     // per edge: unit normal towards the object side
    private readonly double[] _vx, _vy;     // per vertex: the two adjacent edge normals' sum (sign at the vertex)
    private readonly int _cell, _gridX, _gridY, _gridWidth, _gridHeight;
    private readonly int[] _cellStart, _cellEdges;

    public int Count { get; }
    public double Perimeter { get; }

    /// <param name="reach">Queries farther than this from the outline may answer "nothing near".</param>
    public OutlineGeometry(Outline outline, double reach)
    {
        var points = Deduplicate(outline.Points);
        if (points.Count < 3) throw new SegmentationInputException("An outline needs at least three distinct points.");
        double area = 0;
        for (int i = 0; i < points.Count; i++)
        {
            var (x0, y0) = points[i];
            var (x1, y1) = points[(i + 1) % points.Count];
            area += x0 * y1 - x1 * y0;
        }
        if (Math.Abs(area) < 1) throw new SegmentationInputException("An outline encloses no area: draw it around the object.");
        // With y pointing down, a positive shoelace area means n = (−d_y, d_x) points inside.
        if ((area > 0) == outline.IsHole) points.Reverse();

        int n = Count = points.Count;
        _x = new double[n]; _y = new double[n]; _s = new double[n + 1];
        _nx = new double[n]; _ny = new double[n]; _vx = new double[n]; _vy = new double[n];
        for (int i = 0; i < n; i++) (_x[i], _y[i]) = points[i];
        for (int i = 0; i < n; i++)
        {
            int j = (i + 1) % n;
            double dx = _x[j] - _x[i], dy = _y[j] - _y[i], length = Math.Sqrt(dx * dx + dy * dy);
            _s[i + 1] = _s[i] + length;
            _nx[i] = -dy / length; _ny[i] = dx / length;
        }
        Perimeter = _s[n];
        for (int i = 0; i < n; i++)
        {
            int previous = (i + n - 1) % n;
            _vx[i] = _nx[previous] + _nx[i]; _vy[i] = _ny[previous] + _ny[i];
        }

        // Bucket grid: every edge is listed in each cell within `reach` of it, so a query finds all edges that can be nearest.
        double minX = _x.Min() - reach - 1, minY = _y.Min() - reach - 1, maxX = _x.Max() + reach + 1, maxY = _y.Max() + reach + 1;
        _cell = Math.Max(8, (int)Math.Ceiling(reach));
        _gridX = (int)Math.Floor(minX); _gridY = (int)Math.Floor(minY);
        _gridWidth = (int)((maxX - _gridX) / _cell) + 1; _gridHeight = (int)((maxY - _gridY) / _cell) + 1;
        var counts = new int[_gridWidth * _gridHeight + 1];
        ForEachCell(reach, (cell, _) => counts[cell + 1]++);
        for (int c = 0; c < counts.Length - 1; c++) counts[c + 1] += counts[c];
        _cellStart = (int[])counts.Clone();
        _cellEdges = new int[counts[^1]];
        ForEachCell(reach, (cell, edge) => _cellEdges[counts[cell]++] = edge);
    }

    private void ForEachCell(double reach, Action<int, int> visit)
    {
        for (int e = 0; e < Count; e++)
        {
            int j = (e + 1) % Count;
            int cx0 = (int)((Math.Min(_x[e], _x[j]) - reach - _gridX) / _cell), cx1 = (int)((Math.Max(_x[e], _x[j]) + reach - _gridX) / _cell);
            int cy0 = (int)((Math.Min(_y[e], _y[j]) - reach - _gridY) / _cell), cy1 = (int)((Math.Max(_y[e], _y[j]) + reach - _gridY) / _cell);
            for (int cy = Math.Max(0, cy0); cy <= Math.Min(_gridHeight - 1, cy1); cy++)
                for (int cx = Math.Max(0, cx0); cx <= Math.Min(_gridWidth - 1, cx1); cx++)
                    visit(cy * _gridWidth + cx, e);
        }
    }

    /// <summary>
    /// The nearest point of the outline to (px, py): its arc position and the distance, signed + on the object side.
    /// False when no edge is within the grid's reach.
    /// </summary>
    public bool Nearest(double px, double py, out double arc, out double signedDistance)
    {
        arc = 0; signedDistance = 0;
        int cx = (int)Math.Floor((px - _gridX) / _cell), cy = (int)Math.Floor((py - _gridY) / _cell);
        if ((uint)cx >= (uint)_gridWidth || (uint)cy >= (uint)_gridHeight) return false;
        int cell = cy * _gridWidth + cx;
        double best = double.PositiveInfinity, bestT = 0;
        int bestEdge = -1;
        for (int k = _cellStart[cell]; k < _cellStart[cell + 1]; k++)
        {
            int e = _cellEdges[k], j = e + 1 == Count ? 0 : e + 1;
            double ex = _x[j] - _x[e], ey = _y[j] - _y[e];
            double t = ((px - _x[e]) * ex + (py - _y[e]) * ey) / (ex * ex + ey * ey);
            t = Math.Clamp(t, 0, 1);
            double qx = _x[e] + t * ex - px, qy = _y[e] + t * ey - py, d2 = qx * qx + qy * qy;
            if (d2 < best) { best = d2; bestEdge = e; bestT = t; }
        }
        if (bestEdge < 0) return false;
        {
            int e = bestEdge, j = e + 1 == Count ? 0 : e + 1;
            double length = _s[e + 1] - _s[e];
            arc = _s[e] + bestT * length;
            double ox = _x[e] + bestT * (_x[j] - _x[e]), oy = _y[e] + bestT * (_y[j] - _y[e]);
            // At a vertex the side is decided by the two edges' normals together (the pseudo-normal), which is
            // correct on both sides of a convex or concave corner; along an edge by the edge's own normal.
            double sx, sy;
            if (bestT <= 0) { sx = _vx[e]; sy = _vy[e]; }
            else if (bestT >= 1) { sx = _vx[j]; sy = _vy[j]; }
            else { sx = _nx[e]; sy = _ny[e]; }
            double distance = Math.Sqrt(best);
            signedDistance = (px - ox) * sx + (py - oy) * sy >= 0 ? distance : -distance;
        }
        return true;
    }

    /// <summary>The outline's point at arc position <paramref name="arc"/> (taken modulo the perimeter).</summary>
    public (double X, double Y) PointAt(double arc)
    {
        arc = Wrap(arc);
        int e = Array.BinarySearch(_s, arc);
        if (e < 0) e = ~e - 1;
        e = Math.Clamp(e, 0, Count - 1);
        int j = e + 1 == Count ? 0 : e + 1;
        double t = (arc - _s[e]) / Math.Max(1e-12, _s[e + 1] - _s[e]);
        return (_x[e] + t * (_x[j] - _x[e]), _y[e] + t * (_y[j] - _y[e]));
    }

    /// <summary>
    /// The unit normal towards the object side at arc position <paramref name="arc"/>: the edge's, or at a vertex the
    /// bisector of its two edges' normals.
    /// </summary>
    public (double X, double Y) NormalAt(double arc)
    {
        arc = Wrap(arc);
        int e = Array.BinarySearch(_s, arc);
        if (e >= 0 || Math.Abs(arc - _s[Math.Clamp(~e - 1, 0, Count - 1)]) < 1e-9)
        {
            int v = e >= 0 ? e % Count : Math.Clamp(~e - 1, 0, Count - 1);
            double length = Math.Sqrt(_vx[v] * _vx[v] + _vy[v] * _vy[v]);
            // A hairpin vertex's two normals cancel: fall back to the outgoing edge's.
            return length > 1e-6 ? (_vx[v] / length, _vy[v] / length) : (_nx[v], _ny[v]);
        }
        e = Math.Clamp(~e - 1, 0, Count - 1);
        return (_nx[e], _ny[e]);
    }

    public double Wrap(double arc)
    {
        arc %= Perimeter;
        return arc < 0 ? arc + Perimeter : arc;
    }

    /// <summary>
    /// The arc positions where the snapped path is handed from one search to the next: every vertex (the user's own
    /// corners) at least <paramref name="spacing"/>/4 from the previous one, then extra positions so that no gap exceeds
    /// <paramref name="spacing"/> or a quarter of the perimeter (a search never spans half the outline, which keeps its
    /// arc window unambiguous).
    /// </summary>
    public double[] Sections(double spacing)
    {
        double maxGap = Math.Min(spacing, Perimeter / 4);
        var vertices = new List<double>();
        for (int i = 0; i < Count; i++)
            if (vertices.Count == 0 || _s[i] - vertices[^1] >= spacing / 4) vertices.Add(_s[i]);
        if (vertices.Count > 1 && Perimeter - vertices[^1] < spacing / 4) vertices.RemoveAt(vertices.Count - 1);
        var sections = new List<double>();
        for (int i = 0; i < vertices.Count; i++)
        {
            double from = vertices[i], to = i + 1 < vertices.Count ? vertices[i + 1] : vertices[0] + Perimeter;
            int pieces = Math.Max(1, (int)Math.Ceiling((to - from) / maxGap - 1e-9));
            for (int k = 0; k < pieces; k++) sections.Add(from + (to - from) * k / pieces);
        }
        return sections.ToArray();
    }

    /// <summary>Bounding box of the outline's points with arc in [from, to] (unwrapped arcs, to − from ≤ perimeter).</summary>
    public (double MinX, double MinY, double MaxX, double MaxY) Bounds(double from, double to)
    {
        var (x0, y0) = PointAt(from);
        var (x1, y1) = PointAt(to);
        double minX = Math.Min(x0, x1), maxX = Math.Max(x0, x1), minY = Math.Min(y0, y1), maxY = Math.Max(y0, y1);
        for (int i = 0; i < Count; i++)
        {
            double s = _s[i];
            // The vertex lies in the arc window when one of its copies (s, s ± P) does.
            if (!(InWindow(s, from, to) || InWindow(s + Perimeter, from, to) || InWindow(s - Perimeter, from, to))) continue;
            minX = Math.Min(minX, _x[i]); maxX = Math.Max(maxX, _x[i]);
            minY = Math.Min(minY, _y[i]); maxY = Math.Max(maxY, _y[i]);
        }
        return (minX, minY, maxX, maxY);
    }

    private static bool InWindow(double s, double from, double to) => s >= from && s <= to;

    private static List<(double X, double Y)> Deduplicate(IReadOnlyList<(double X, double Y)> points)
    {
        var result = new List<(double X, double Y)>(points.Count);
        foreach (var p in points)
        {
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y)) throw new SegmentationInputException("An outline point is not a finite number.");
            if (result.Count > 0 && Math.Abs(result[^1].X - p.X) < 1e-9 && Math.Abs(result[^1].Y - p.Y) < 1e-9) continue;
            result.Add(p);
        }
        while (result.Count > 1 && Math.Abs(result[^1].X - result[0].X) < 1e-9 && Math.Abs(result[^1].Y - result[0].Y) < 1e-9) result.RemoveAt(result.Count - 1);
        return result;
    }
}
