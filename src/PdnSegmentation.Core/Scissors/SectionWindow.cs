using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Scissors;

/// <summary>
/// The part of the corridor one shortest-path search covers: the pixels within R of the outline whose nearest outline
/// point lies between two section positions (± <see cref="Overlap"/>), bounded by the cross-sections of the corridor at
/// those positions where the path enters and leaves, with the link-cost features of every pixel of a
/// small window around them. Features are computed here, per window, so the cost of snapping follows the outline's
/// length × R and not the image's size.
/// </summary>
internal sealed class SectionWindow
{
    /// <summary>Arc slack (px) of a window's corridor piece beyond its two cross-sections, so that neighbouring pieces overlap.</summary>
    public const float Overlap = 1f;

    private static readonly (int Dx, int Dy)[] Steps = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)];

    public int X0 { get; }
    public int Y0 { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>The arc length this window covers (from its section to the next).</summary>
    public float Length { get; }

    private readonly float[] _arc;          // arc position relative to the section; NaN outside the corridor piece
    private readonly float[] _gradient;     // Di Zenzo colour gradient magnitude, grey levels per pixel
    private readonly float[] _edgeX, _edgeY; // unit edge direction (perpendicular to the gradient); 0 where flat
    private readonly byte[] _crossing;      // 1 where the Laplacian crosses zero on an edge
    private readonly float[] _near;         // signed distance to the outline, for the side term's support
    private readonly byte[] _band;          // StartBand / EndBand: the cross-sections where the path is handed over
    private float[]? _objectProbability;
    private float[]? _nodeCost;

    // Colour samples of the object and background rings just outside the corridor (interleaved B, G, R).
    public List<float> ObjectSamples { get; } = [];
    public List<float> BackgroundSamples { get; } = [];

    private SectionWindow(int x0, int y0, int width, int height, float length)
    {
        X0 = x0; Y0 = y0; Width = width; Height = height; Length = length;
        int n = width * height;
        _arc = new float[n];
        _gradient = new float[n];
        _edgeX = new float[n];
        _edgeY = new float[n];
        _crossing = new byte[n];
        _near = new float[n];
        _band = new byte[n];
    }

    private const byte StartBandFlag = 1, EndBandFlag = 2;

    public bool IsMember(int index) => !float.IsNaN(_arc[index]);

    /// <summary>Builds the window of the section starting at arc <paramref name="from"/> and ending at <paramref name="to"/> (unwrapped).</summary>
    public static SectionWindow Build(ColorImage image, OutlineGeometry outline, double from, double to, int corridor, int ring, double minimumEdgeGradient)
    {
        double length = to - from;
        var (minX, minY, maxX, maxY) = outline.Bounds(from - corridor - Overlap, to + corridor + Overlap);
        int margin = corridor + ring + 2;
        int x0 = Math.Max(0, (int)Math.Floor(minX) - margin), y0 = Math.Max(0, (int)Math.Floor(minY) - margin);
        int x1 = Math.Min(image.Width - 1, (int)Math.Ceiling(maxX) + margin), y1 = Math.Min(image.Height - 1, (int)Math.Ceiling(maxY) + margin);
        var window = new SectionWindow(x0, y0, Math.Max(1, x1 - x0 + 1), Math.Max(1, y1 - y0 + 1), (float)length);
        window.Locate(image, outline, from, corridor, ring);
        window.ComputeEdgeFeatures(image, minimumEdgeGradient);
        return window;
    }

    /// <summary>Arc positions and corridor membership of the window's pixels; the colour rings' samples.</summary>
    private void Locate(ColorImage image, OutlineGeometry outline, double from, int corridor, int ring)
    {
        double perimeter = outline.Perimeter, split = (Length + perimeter) / 2;
        var data = image.Data;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                _arc[i] = float.NaN;
                _near[i] = float.NaN;
                if (!outline.Nearest(X0 + x, Y0 + y, out double arc, out double side)) continue;
                // Arc relative to this section, in (split − P, split]: the window's own stretch is [0, Length].
                double u = outline.Wrap(arc - from);
                if (u > split) u -= perimeter;
                _near[i] = (float)side;
                double distance = Math.Abs(side);
                if (distance <= corridor && u >= -Overlap && u <= Length + Overlap) _arc[i] = (float)u;
                if (distance > corridor && distance <= corridor + ring && u >= 0 && u < Length)
                {
                    int p = (Y0 + y) * image.Stride + 4 * (X0 + x);
                    var samples = side > 0 ? ObjectSamples : BackgroundSamples;
                    samples.Add(data[p]); samples.Add(data[p + 1]); samples.Add(data[p + 2]);
                }
            }
        }
        // The user's own line always belongs to its stretch, even where another stretch of the outline is nearer (a
        // narrow spike, a fold, the image border): so every search has a connected way from its start band to its end.
        int steps = (int)Math.Ceiling(4 * (Length + 2 * Overlap));
        for (int k = 0; k <= steps; k++)
        {
            double u = -Overlap + (Length + 2 * Overlap) * k / steps;
            var (px, py) = outline.PointAt(from + u);
            int x = (int)Math.Round(px) - X0, y = (int)Math.Round(py) - Y0;
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) continue;
            int i = y * Width + x;
            if (!IsMember(i)) _arc[i] = (float)u;
        }
        MarkCrossSection(outline, from, 0, StartBandFlag, corridor);
        MarkCrossSection(outline, from + Length, Length, EndBandFlag, corridor);
    }

    /// <summary>
    /// The hand-over band at arc <paramref name="arc"/>: the pixels of the outline's normal through that point (the
    /// corner's bisector at a vertex), across the whole corridor. A band defined by the nearest outline point instead
    /// would be thinner than a pixel on the inner side of a corner, leaving the path no way across where the edge is.
    /// </summary>
    private void MarkCrossSection(OutlineGeometry outline, double arc, double u, byte flag, int corridor)
    {
        var (px, py) = outline.PointAt(arc);
        var (nx, ny) = outline.NormalAt(arc);
        for (int k = -4 * corridor; k <= 4 * corridor; k++)
        {
            double t = k / 4.0;
            int x = (int)Math.Round(px + t * nx), y = (int)Math.Round(py + t * ny);
            int wx = x - X0, wy = y - Y0;
            if ((uint)wx >= (uint)Width || (uint)wy >= (uint)Height) continue;
            // Rounding may put a pixel of the normal just beyond the corridor: the path never goes there.
            if (!outline.Nearest(x, y, out _, out double side) || Math.Abs(side) > corridor) continue;
            int i = wy * Width + wx;
            _band[i] |= flag;
            if (!IsMember(i)) _arc[i] = (float)u;
        }
    }

    /// <summary>
    /// Colour gradient (Di Zenzo's structure tensor of the three channels' Sobel derivatives: its largest eigenvalue
    /// and eigenvector, so that no channel's sign decides the direction) and the Laplacian zero crossings of the
    /// lightly smoothed luminance — the features of Mortensen and Barrett's cost.
    /// </summary>
    private void ComputeEdgeFeatures(ColorImage image, double minimumEdgeGradient)
    {
        const int Pad = 3;
        int ew = Width + 2 * Pad, eh = Height + 2 * Pad;
        var luminance = new float[ew * eh];
        var smooth = new float[ew * eh];
        var laplacian = new float[ew * eh];
        var data = image.Data;
        int stride = image.Stride, iw = image.Width, ih = image.Height;
        for (int y = 0; y < eh; y++)
        {
            int sy = Math.Clamp(Y0 + y - Pad, 0, ih - 1);
            for (int x = 0; x < ew; x++)
            {
                int p = sy * stride + 4 * Math.Clamp(X0 + x - Pad, 0, iw - 1);
                luminance[y * ew + x] = 0.114f * data[p] + 0.587f * data[p + 1] + 0.299f * data[p + 2];
            }
        }
        for (int y = 1; y < eh - 1; y++)
            for (int x = 1; x < ew - 1; x++)
            {
                int i = y * ew + x;
                smooth[i] = (4 * luminance[i] + 2 * (luminance[i - 1] + luminance[i + 1] + luminance[i - ew] + luminance[i + ew])
                             + luminance[i - ew - 1] + luminance[i - ew + 1] + luminance[i + ew - 1] + luminance[i + ew + 1]) / 16f;
            }
        for (int y = 2; y < eh - 2; y++)
            for (int x = 2; x < ew - 2; x++)
            {
                int i = y * ew + x;
                laplacian[i] = smooth[i - 1] + smooth[i + 1] + smooth[i - ew] + smooth[i + ew] - 4 * smooth[i];
            }

        for (int y = 0; y < Height; y++)
        {
            int iy = Y0 + y, ym = Math.Max(0, iy - 1), yp = Math.Min(ih - 1, iy + 1);
            for (int x = 0; x < Width; x++)
            {
                int ix = X0 + x, xm = Math.Max(0, ix - 1), xp = Math.Min(iw - 1, ix + 1);
                double gxx = 0, gyy = 0, gxy = 0;
                for (int c = 0; c < 3; c++)
                {
                    int a = data[ym * stride + 4 * xm + c], b = data[ym * stride + 4 * ix + c], d = data[ym * stride + 4 * xp + c];
                    int e = data[iy * stride + 4 * xm + c], f = data[iy * stride + 4 * xp + c];
                    int g = data[yp * stride + 4 * xm + c], h = data[yp * stride + 4 * ix + c], k = data[yp * stride + 4 * xp + c];
                    // Sobel / 8: the derivative in grey levels per pixel.
                    double gx = (d + 2 * f + k - a - 2 * e - g) / 8.0, gy = (g + 2 * h + k - a - 2 * b - d) / 8.0;
                    gxx += gx * gx; gyy += gy * gy; gxy += gx * gy;
                }
                int i = y * Width + x;
                double root = Math.Sqrt((gxx - gyy) * (gxx - gyy) + 4 * gxy * gxy);
                double magnitude = Math.Sqrt(Math.Max(0, 0.5 * (gxx + gyy + root)));
                _gradient[i] = (float)magnitude;
                if (magnitude > 1e-3)
                {
                    double theta = 0.5 * Math.Atan2(2 * gxy, gxx - gyy); // gradient direction
                    _edgeX[i] = (float)-Math.Sin(theta);
                    _edgeY[i] = (float)Math.Cos(theta);
                }
                if (magnitude >= minimumEdgeGradient)
                {
                    int e = (y + Pad) * ew + x + Pad;
                    float l = laplacian[e];
                    bool crossing = l == 0;
                    foreach (int o in (ReadOnlySpan<int>)[-1, 1, -ew, ew])
                    {
                        float m = laplacian[e + o];
                        // The pixel nearer zero of a sign-changing pair is the crossing (one pixel, not two, per edge).
                        if (l * m < 0 && Math.Abs(l) <= Math.Abs(m)) crossing = true;
                    }
                    _crossing[i] = crossing ? (byte)1 : (byte)0;
                }
            }
        }
    }

    /// <summary>Gradient magnitudes of the corridor pixels this window owns (arc in [0, Length)), for the normalisation.</summary>
    public void CollectGradients(List<float> into)
    {
        for (int i = 0; i < _arc.Length; i++)
            if (_arc[i] >= 0 && _arc[i] < Length) into.Add(_gradient[i]);
    }

    /// <summary>
    /// The per-pixel part of the link cost (zero crossing and gradient magnitude, normalised by
    /// <paramref name="gradientScale"/>) and the object probability of the colour models, where the side term reads it.
    /// </summary>
    public void PrepareCosts(ColorImage image, float gradientScale, ColorGmm? objectModel, ColorGmm? backgroundModel, EdgeSnapOptions options, int corridor)
    {
        int n = _arc.Length;
        var node = _nodeCost = new float[n];
        float wz = (float)options.ZeroCrossingWeight, wg = (float)options.GradientMagnitudeWeight;
        for (int i = 0; i < n; i++)
        {
            if (!IsMember(i)) continue;
            float fg = 1 - Math.Min(1f, _gradient[i] / gradientScale);
            node[i] = wz * (1 - _crossing[i]) + wg * fg;
        }
        var probability = _objectProbability = new float[n];
        if (objectModel is null || backgroundModel is null)
        {
            Array.Fill(probability, 0.5f);
            return;
        }
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                if (!(Math.Abs(_near[i]) <= corridor + 2)) { probability[i] = 0.5f; continue; }
                int p = (Y0 + y) * image.Stride + 4 * (X0 + x);
                var span = image.Data;
                float b = span[p], g = span[p + 1], r = span[p + 2];
                float objectCost = objectModel.MixtureCost(b, g, r, out _), backgroundCost = backgroundModel.MixtureCost(b, g, r, out _);
                // p(object | colour) with equal priors: the logistic of the log-likelihood ratio.
                float t = Math.Clamp(objectCost - backgroundCost, -30f, 30f);
                probability[i] = 1f / (1f + MathF.Exp(t));
            }
    }

    /// <summary>
    /// Dijkstra over this window's corridor pixels from <paramref name="sources"/> (pixels with a path cost so far);
    /// returns the pixels of the hand-over band at the window's end that the search reached, with their costs.
    /// <paramref name="predecessor"/> receives, per window pixel, the previous pixel of its best path, or −1 − j where
    /// it is source j.
    /// </summary>
    public List<Handover> Search(IReadOnlyList<Handover> sources, float directionWeight, float sideWeight, int[] predecessor, float[] distance,
        PriorityQueue<int, float> queue)
    {
        Array.Fill(distance, float.PositiveInfinity);
        Array.Fill(predecessor, int.MinValue);
        queue.Clear();
        for (int j = 0; j < sources.Count; j++)
        {
            int x = sources[j].X - X0, y = sources[j].Y - Y0;
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) continue;
            int i = y * Width + x;
            if (sources[j].Cost < distance[i])
            {
                distance[i] = sources[j].Cost;
                predecessor[i] = -1 - j;
                queue.Enqueue(i, sources[j].Cost);
            }
        }
        var node = _nodeCost!;
        var probability = _objectProbability!;
        const float InversePi = 1f / MathF.PI;
        while (queue.TryDequeue(out int i, out float d))
        {
            if (d > distance[i]) continue;
            int x = i % Width, y = i / Width;
            float ex = _edgeX[i], ey = _edgeY[i];
            for (int k = 0; k < 8; k++)
            {
                var (dx, dy) = Steps[k];
                int qx = x + dx, qy = y + dy;
                if ((uint)qx >= (uint)Width || (uint)qy >= (uint)Height) continue;
                int q = qy * Width + qx;
                if (!IsMember(q)) continue;
                bool diagonal = (k & 1) != 0;
                float length = diagonal ? MathF.Sqrt(2) : 1f, lx = dx / length, ly = dy / length;
                // Gradient direction: the link should run along the edge at both ends (sign-free: colour has no polarity).
                float direction = (MathF.Acos(Math.Min(1f, Math.Abs(ex * lx + ey * ly))) + MathF.Acos(Math.Min(1f, Math.Abs(_edgeX[q] * lx + _edgeY[q] * ly)))) * InversePi;
                // Side: object colours on the object side of the step (its normal (−dy, dx)), background colours on the
                // other. Read one pixel to each side of the pixel stepped on, so either pixel of a sharp edge may carry the
                // path (requiring the object's own rim pixel instead lowered IoU on both public sets: real edges are blurred
                // over a few pixels, whose middle the path should follow).
                int ox = Math.Clamp(qx - dy, 0, Width - 1), oy = Math.Clamp(qy + dx, 0, Height - 1);
                int bx = Math.Clamp(qx + dy, 0, Width - 1), by = Math.Clamp(qy - dx, 0, Height - 1);
                float side = 0.5f * (1 - (probability[oy * Width + ox] - probability[by * Width + bx]));
                float cost = d + length * (node[q] + directionWeight * direction + sideWeight * side);
                if (cost < distance[q])
                {
                    distance[q] = cost;
                    predecessor[q] = i;
                    queue.Enqueue(q, cost);
                }
            }
        }
        var reached = new List<Handover>();
        for (int i = 0; i < _arc.Length; i++)
        {
            if ((_band[i] & EndBandFlag) == 0 || float.IsPositiveInfinity(distance[i])) continue;
            reached.Add(new Handover(X0 + i % Width, Y0 + i / Width, distance[i], i));
        }
        return reached;
    }

    /// <summary>Pixels of the hand-over band at this window's start.</summary>
    public List<Handover> StartBand()
    {
        var band = new List<Handover>();
        for (int i = 0; i < _arc.Length; i++)
            if ((_band[i] & StartBandFlag) != 0) band.Add(new Handover(X0 + i % Width, Y0 + i / Width, 0, i));
        return band;
    }
}

/// <summary>A pixel where one window's search hands the path to the next: image position, path cost so far, index in the window that reached it.</summary>
internal readonly record struct Handover(int X, int Y, float Cost, int WindowIndex);
