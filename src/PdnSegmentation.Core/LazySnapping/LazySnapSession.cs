using PdnSegmentation.Graphs;
using PdnSegmentation.Imaging;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.LazySnapping;

public sealed record LazySnapOptions
{
    /// <summary>K of the k-means colour model of each kind of stroke (Li et al.: 64).</summary>
    public int Clusters { get; init; } = 64;
    /// <summary>λ: weight of the contrast-sensitive prior E2 against the likelihood E1 (8: best mean error on the GrabCut set's public part, both scribble sets).</summary>
    public double Smoothness { get; init; } = 8;
    /// <summary>Spacing of the watershed markers in pixels: about spacing² pixels per region.</summary>
    public int RegionSpacing { get; init; } = 8;
    /// <summary>Half-width in pixels of the band around the region-level boundary that the pixel-level cut revisits.</summary>
    public int BoundaryBand { get; init; } = 3;
    /// <summary>Half-width in pixels of the band around a user-drawn boundary polygon (boundary editing).</summary>
    public int EditBand { get; init; } = 6;
    /// <summary>Re-cut pixels near the region-level boundary (off = the region-level cut alone, as a fast preview).</summary>
    public bool PixelRefinement { get; init; } = true;
    /// <summary>β of boundary editing: how much the drawn polygon, rather than colour contrast, guides the cut.</summary>
    public double EditWeight { get; init; } = 0.5;
    /// <summary>η of boundary editing: scale of the polygon term g(D²).</summary>
    public double EditScale { get; init; } = 10;
}

/// <param name="Foreground">The pixel-accurate object mask (strokes always keep their label).</param>
/// <param name="RegionLevel">The region-level cut the pixel pass started from.</param>
public sealed record LazySnapResult(Mask Foreground, Mask RegionLevel);

/// <summary>
/// Lazy Snapping (Li, Sun, Tang &amp; Shum, SIGGRAPH 2004) as an interactive session. Built once per image:
/// watershed pre-segmentation, the region adjacency graph and its n-links. Each solve — a new set of strokes or one
/// added stroke — refits the stroke colour models, replaces only the regions' terminal capacities, cuts the region
/// graph (interactive speed) and then re-cuts pixels in a thin band around the region boundary with a pixel graph
/// (accuracy). <see cref="EditBoundary"/> re-cuts a band around a polygon the user drew, with the polygon as a soft
/// constraint.
/// </summary>
public sealed class LazySnapSession
{
    private const float Hard = 1e6f;

    private readonly ColorImage _image;
    private readonly LazySnapOptions _options;
    private readonly int _width, _height;
    private readonly RegionGraph _graph;
    private readonly FlowNetwork _network;
    private readonly float _inverseMeanContrast;
    private GridMaxFlow? _pixels;
    private ScribbleMasks? _scribbles;
    private SeedColorModel? _model;
    private Mask? _current;

    public RegionMap Regions { get; }
    public ScribbleMasks? Scribbles => _scribbles;

    public LazySnapSession(ColorImage image, LazySnapOptions? options = null, CancellationToken cancellationToken = default)
    {
        _image = image;
        _options = options ?? new LazySnapOptions();
        if (_options.Clusters < 1) throw new ArgumentOutOfRangeException(nameof(options), "Clusters must be at least 1.");
        if (!(_options.Smoothness >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "Smoothness must be non-negative.");
        if (_options.BoundaryBand < 1 || _options.EditBand < 1) throw new ArgumentOutOfRangeException(nameof(options), "Bands must be at least one pixel.");
        if (!(_options.EditWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), "EditWeight (β) must be in [0, 1].");
        _width = image.Width;
        _height = image.Height;
        _inverseMeanContrast = (float)(1 / ContrastPrior.MeanSquaredContrast(image));
        Regions = RegionMap.Watershed(image, Math.Max(2, _options.RegionSpacing), cancellationToken);
        _graph = RegionGraph.Build(image, Regions, _inverseMeanContrast);
        var edges = new (int, int, double, double)[_graph.Edges.Length];
        for (int e = 0; e < edges.Length; e++)
        {
            var (a, b, weight) = _graph.Edges[e];
            double capacity = _options.Smoothness * weight;
            edges[e] = (a, b, capacity, capacity);
        }
        _network = new FlowNetwork(Regions.Count, edges);
    }

    /// <summary>Segments from a full set of strokes (replacing any earlier ones).</summary>
    public LazySnapResult Segment(ScribbleMasks scribbles, CancellationToken cancellationToken = default)
    {
        scribbles.Validate(_width, _height);
        _scribbles = new ScribbleMasks(scribbles.Foreground.Clone(), scribbles.Background.Clone());
        _model = SeedColorModel.Fit(_image, _scribbles.Foreground, _scribbles.Background, _options.Clusters);
        return Solve(cancellationToken);
    }

    /// <summary>
    /// Adds one stroke and re-solves: no new watershed, no new graph — new colour model, new terminal capacities,
    /// a region cut and a pixel pass. Pixels of the stroke take its label (overriding earlier strokes there).
    /// </summary>
    public LazySnapResult AddStroke(Mask stroke, bool foreground, CancellationToken cancellationToken = default)
    {
        if (_scribbles is null) throw new InvalidOperationException("Call Segment with the first strokes before adding more.");
        ImageGuard.SameSize("stroke", stroke.Width, stroke.Height, _width, _height);
        if (stroke.IsEmpty) throw new SegmentationInputException("The stroke is empty: paint at least one pixel.");
        var add = (foreground ? _scribbles.Foreground : _scribbles.Background).Bits;
        var remove = (foreground ? _scribbles.Background : _scribbles.Foreground).Bits;
        var bits = stroke.Bits;
        bool overpainted = false;
        for (int i = 0; i < bits.Length; i++)
            if (bits[i] != 0) { add[i] = 1; overpainted |= remove[i] != 0; remove[i] = 0; }
        _scribbles.Validate(_width, _height);
        // Only the stroked kind's colours changed, unless the stroke painted over strokes of the other kind.
        _model = overpainted
            ? SeedColorModel.Fit(_image, _scribbles.Foreground, _scribbles.Background, _options.Clusters)
            : _model!.Refit(_image, foreground ? _scribbles.Foreground : _scribbles.Background, foreground, _options.Clusters);
        return Solve(cancellationToken);
    }

    private LazySnapResult Solve(CancellationToken cancellationToken)
    {
        var (regionMask, mixed) = CutRegions(cancellationToken);
        var band = _options.PixelRefinement ? BandAroundBoundary(regionMask, _options.BoundaryBand) : new byte[regionMask.Bits.Length];
        // A region holding strokes of both kinds was cut as a whole; its pixels are re-cut one by one.
        var labels = Regions.Labels;
        for (int i = 0; i < band.Length; i++) if (mixed[labels[i]]) band[i] = 1;
        var result = CutPixels(regionMask, band, null, cancellationToken);
        _current = result;
        return new LazySnapResult(result, regionMask);
    }

    /// <summary>
    /// Boundary editing: the user edits the object's boundary as a closed polygon (dragging its vertices). Pixels
    /// within <see cref="LazySnapOptions.EditBand"/> of the polygon are cut again; beyond the band the polygon decides
    /// (inside = object), so the band's inner edge is object and its outer edge background, as in Li et al. The prior
    /// inside the band is E2 = λ·g((1−β)·C_ij + β·η·g(D_ij²)) with D the distance to the polygon and g(ξ) = 1/(ξ + 1):
    /// the cut follows colour edges where there are some and the polygon where colour says little. Strokes stay hard.
    /// </summary>
    public LazySnapResult EditBoundary(IReadOnlyList<(double X, double Y)> polygon, CancellationToken cancellationToken = default)
    {
        if (_current is null || _scribbles is null) throw new InvalidOperationException("Segment before editing the boundary.");
        if (polygon.Count < 3) throw new SegmentationInputException("A boundary polygon needs at least three points.");
        var line = BoundaryPolygon.Rasterize(polygon, _width, _height);
        if (line.AsSpan().IndexOfAnyExcept((byte)0) < 0) throw new SegmentationInputException("The boundary polygon lies entirely outside the image.");
        var distance = PixelMaps.DistanceToTargets(line, _width, _height);
        var band = new byte[distance.Length];
        for (int i = 0; i < band.Length; i++) band[i] = distance[i] <= _options.EditBand ? (byte)1 : (byte)0;
        var inside = BoundaryPolygon.Fill(polygon, _width, _height);
        var before = _current;
        var result = CutPixels(inside, band, distance, cancellationToken);
        _current = result;
        return new LazySnapResult(result, before);
    }

    /// <summary>Cuts the region graph: terminal capacities from the strokes and the colour model, n-links kept.</summary>
    private (Mask Mask, bool[] Mixed) CutRegions(CancellationToken cancellationToken)
    {
        int n = Regions.Count;
        var fgSeeds = new int[n];
        var bgSeeds = new int[n];
        var labels = Regions.Labels;
        var f = _scribbles!.Foreground.Bits;
        var b = _scribbles.Background.Bits;
        for (int i = 0; i < labels.Length; i++)
        {
            if (f[i] != 0) fgSeeds[labels[i]]++;
            else if (b[i] != 0) bgSeeds[labels[i]]++;
        }
        var mixed = new bool[n];
        for (int r = 0; r < n; r++)
        {
            if (fgSeeds[r] > 0 && bgSeeds[r] == 0) { _network.SetTerminals(r, double.PositiveInfinity, 0); continue; }
            if (bgSeeds[r] > 0 && fgSeeds[r] == 0) { _network.SetTerminals(r, 0, double.PositiveInfinity); continue; }
            mixed[r] = fgSeeds[r] > 0;
            var (mr, mg, mb) = _graph.MeanColor(r);
            var (costF, costB) = _model!.Costs(mr, mg, mb);
            // E1 of the region = its pixels' E1 at the mean colour (source side = object).
            _network.SetTerminals(r, costB * _graph.PixelCount[r], costF * _graph.PixelCount[r]);
        }
        _network.Solve(cancellationToken);
        var mask = new Mask(_width, _height);
        var bits = mask.Bits;
        for (int i = 0; i < labels.Length; i++) bits[i] = _network.IsSourceSide(labels[i]) ? (byte)1 : (byte)0;
        return (mask, mixed);
    }

    /// <summary>
    /// Pixels less than <paramref name="radius"/> from a pixel whose 4-neighbour has the other label. A disc stamped
    /// around each boundary pixel: for radii of a few pixels this costs a fraction of a whole-image distance transform.
    /// </summary>
    private byte[] BandAroundBoundary(Mask mask, int radius)
    {
        var bits = mask.Bits;
        var band = new byte[bits.Length];
        int r = radius - 1, r2 = r * r;
        for (int y = 0; y < _height; y++)
            for (int x = 0; x < _width; x++)
            {
                int i = y * _width + x;
                bool east = x + 1 < _width && bits[i + 1] != bits[i], south = y + 1 < _height && bits[i + _width] != bits[i];
                if (east) Stamp(x + 1, y);
                if (south) Stamp(x, y + 1);
                if (east || south) Stamp(x, y);
            }
        return band;

        void Stamp(int cx, int cy)
        {
            for (int y = Math.Max(0, cy - r); y <= Math.Min(_height - 1, cy + r); y++)
            {
                int dy = y - cy, half = (int)Math.Sqrt(r2 - dy * dy);
                int x0 = Math.Max(0, cx - half), x1 = Math.Min(_width - 1, cx + half);
                band.AsSpan(y * _width + x0, x1 - x0 + 1).Fill(1);
            }
        }
    }

    /// <summary>
    /// A pixel-level graph cut of the band pixels (8-neighbourhood); pixels outside the band keep their label in
    /// <paramref name="outside"/> and act on band pixels next to them as fixed neighbours. Strokes are hard.
    /// With <paramref name="polygonDistance"/>, the boundary-editing prior replaces the plain contrast prior.
    /// </summary>
    internal Mask CutPixels(Mask outside, byte[] band, float[]? polygonDistance, CancellationToken cancellationToken)
    {
        var result = outside.Clone();
        var resultBits = result.Bits;
        var fixedBits = outside.Bits;
        var f = _scribbles!.Foreground.Bits;
        var b = _scribbles.Background.Bits;
        if (band.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
        {
            var graph = _pixels ??= new GridMaxFlow(_width, _height);
            graph.Clear();
            float lambda = (float)_options.Smoothness;
            for (int y = 0; y < _height; y++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = _image.Row(y);
                for (int x = 0; x < _width; x++)
                {
                    int i = y * _width + x;
                    if (band[i] == 0) continue;
                    float source, sink;
                    if (f[i] != 0) { source = Hard; sink = 0; }
                    else if (b[i] != 0) { source = 0; sink = Hard; }
                    else (sink, source) = _model!.Costs(row[4 * x + 2], row[4 * x + 1], row[4 * x]);
                    for (int d = 0; d < 8; d++)
                    {
                        int nx = x + ContrastPrior.Dx[d], ny = y + ContrastPrior.Dy[d];
                        if ((uint)nx >= (uint)_width || (uint)ny >= (uint)_height) continue;
                        int j = ny * _width + nx;
                        if (band[j] != 0 && d >= 4) continue; // a band pair is set once, from its first pixel
                        float weight = lambda * PairWeight(x, y, nx, ny, d, polygonDistance);
                        if (band[j] != 0) graph.SetEdge(x, y, (GridDirection)d, weight, weight);
                        else if (fixedBits[j] != 0) source += weight; // a fixed object neighbour: paid if p ends background
                        else sink += weight;
                    }
                    graph.AddTerminalWeights(x, y, source, sink);
                }
            }
            graph.Solve(cancellationToken);
            for (int y = 0; y < _height; y++)
                for (int x = 0; x < _width; x++)
                {
                    int i = y * _width + x;
                    if (band[i] != 0) resultBits[i] = graph.IsSourceSide(x, y) ? (byte)1 : (byte)0;
                }
        }
        for (int i = 0; i < resultBits.Length; i++)
        {
            if (f[i] != 0) resultBits[i] = 1;
            else if (b[i] != 0) resultBits[i] = 0;
        }
        return result;
    }

    private float PairWeight(int x, int y, int nx, int ny, int direction, float[]? polygonDistance)
    {
        float contrast = ContrastPrior.SquaredContrast(_image, x, y, nx, ny) * _inverseMeanContrast;
        if (polygonDistance is not null)
        {
            float d = Math.Min(polygonDistance[y * _width + x], polygonDistance[ny * _width + nx]);
            float beta = (float)_options.EditWeight;
            contrast = (1 - beta) * contrast + beta * (float)_options.EditScale * ContrastPrior.G(d * d);
        }
        return ContrastPrior.G(contrast) * ContrastPrior.InverseLength[direction];
    }

    /// <summary>The same energy cut over every pixel, no regions: what the region-level cut approximates (tests).</summary>
    internal Mask CutAllPixels(CancellationToken cancellationToken = default)
    {
        if (_scribbles is null) throw new InvalidOperationException("Segment first.");
        var band = new byte[_width * _height];
        band.AsSpan().Fill(1);
        return CutPixels(new Mask(_width, _height), band, null, cancellationToken);
    }
}
