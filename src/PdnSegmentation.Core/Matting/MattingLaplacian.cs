using System.Runtime.CompilerServices;
using PdnSegmentation.Imaging;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Matting;

/// <summary>
/// The matting Laplacian of Levin, Lischinski &amp; Weiss, "A closed-form solution to natural image matting"
/// (PAMI 2008) over 3×3 windows, applied without ever forming the matrix:
/// <c>(L x)_i = n_i x_i − Σ_{k ∋ i} (a_kᵀ I_i + b_k)</c>, with per window k
/// <c>a_k = Δ_k⁻¹ (mean_k(I x) − μ_k mean_k(x))</c>, <c>b_k = mean_k(x) − a_kᵀ μ_k</c>, <c>Δ_k = Σ_k + ε/9 · I</c>
/// (He, Sun &amp; Tang, "Fast matting using large kernel matting Laplacian matrices", CVPR 2010).
/// <para>
/// Why matrix-free rather than a MathNet sparse matrix: each product is a few box sums over the image, cache
/// friendly and parallel over rows, and it needs 9 floats per window instead of 25 matrix entries per pixel.
/// Only the windows around the requested pixels (a trimap's unknowns) are ever touched.
/// </para>
/// </summary>
public sealed class MattingLaplacian
{
    private readonly int _width, _height;
    // I as 3 bytes per pixel, full image, read through UnitColour (0..1): a quarter of floats' memory (12 MP: 36
    // instead of 144 MB, alive until the lower triangle is built) and the same values, as floats were i / 255f.
    private readonly byte[] _colors;
    private static readonly float[] UnitColour = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();
    private readonly double[] _windows;  // per listed window: μ (3), Δ⁻¹ (6: 00 01 02 11 12 22)
    private readonly int[] _slot;        // window centre pixel → its index in the window list (−1: not listed)
    // Products' scratch, a_k (3) and b_k per listed window, allocated by the first product (the lower triangle alone
    // needs none). Kept afterwards: released after MultiplyIndicator, the closed-form solve's one product, it only
    // became garbage while the lower triangle was allocated, and the peaks rose (lemur 1 / 4 / 12 MP, bench
    // matte-scale: kept 131 / 404 / 845 MB, released 148 / 451 / 870).
    private double[]? _a, _b;
    private readonly int _parallelism;
    private readonly int[] _pixels;      // where products are evaluated (sorted pixel indices)
    private readonly int[] _windowList;  // centres of every interior window containing one of them

    private void AllocateScratch()
    {
        _a ??= new double[3 * _windowList.Length];
        _b ??= new double[_windowList.Length];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Colour(int index) => UnitColour[_colors[index]];

    public int Width => _width;
    public int Height => _height;
    public double Epsilon { get; }

    /// <summary>The Laplacian's rows for every pixel of <paramref name="region"/>.</summary>
    public MattingLaplacian(ColorImage image, PixelRect region, double epsilon = 1e-7, int parallelism = 0)
        : this(image, RegionPixels(image, region), epsilon, parallelism) { }

    private static int[] RegionPixels(ColorImage image, PixelRect region)
    {
        var r = region.Intersect(new PixelRect(0, 0, image.Width, image.Height));
        var pixels = new int[r.Area];
        int n = 0;
        for (int y = r.Y; y < r.Bottom; y++) for (int x = r.X; x < r.Right; x++) pixels[n++] = y * image.Width + x;
        return pixels;
    }

    /// <summary>
    /// The Laplacian's rows for the given pixels only (e.g. a trimap's unknowns): products and the diagonal cost
    /// time in proportion to them and the windows around them, not to the image.
    /// </summary>
    public MattingLaplacian(ColorImage image, int[] pixels, double epsilon = 1e-7, int parallelism = 0)
    {
        if (image.Width < 3 || image.Height < 3) throw new SegmentationInputException("Matting needs an image of at least 3×3 pixels.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), "ε must be positive.");
        _width = image.Width;
        _height = image.Height;
        Epsilon = epsilon;
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        int n = _width * _height;
        // Image-sized passes in parallel row chunks: serial, the colours alone took 0.4 s at 12 MP (lemur).
        var colors = new byte[3 * n];
        RowChunks.Run(_height, _parallelism, CancellationToken.None, (_, y0, y1) =>
        {
            for (int y = y0; y < y1; y++)
            {
                var row = image.Row(y);
                for (int x = 0; x < _width; x++)
                {
                    int i = 3 * (y * _width + x);
                    colors[i] = row[4 * x]; colors[i + 1] = row[4 * x + 1]; colors[i + 2] = row[4 * x + 2];
                }
            }
        });
        _colors = colors;
        _pixels = pixels;
        var isWindow = new bool[n];
        foreach (int i in pixels)
        {
            int px = i % _width, py = i / _width;
            for (int ky = Math.Max(py - 1, 1); ky <= Math.Min(py + 1, _height - 2); ky++)
                for (int kx = Math.Max(px - 1, 1); kx <= Math.Min(px + 1, _width - 2); kx++)
                    isWindow[ky * _width + kx] = true;
        }
        int windowCount = isWindow.AsSpan().Count(true);
        _windowList = new int[windowCount];
        for (int k = 0, index = 0; k < n; k++) if (isWindow[k]) _windowList[index++] = k;
        // Window data is stored per listed window, not per pixel: memory follows the unknown region.
        var slot = new int[n];
        RowChunks.Run(_height, _parallelism, CancellationToken.None, (_, y0, y1) => slot.AsSpan(y0 * _width, (y1 - y0) * _width).Fill(-1));
        for (int index = 0; index < _windowList.Length; index++) slot[_windowList[index]] = index;
        _slot = slot;
        _windows = new double[9 * _windowList.Length];
        PrepareWindows();
    }

    /// <summary>Runs body(start, end) over [0, count) in a fixed number of parallel ranges.</summary>
    private void ParallelRanges(int count, Action<int, int> body) =>
        RowChunks.Run(count, _parallelism, CancellationToken.None, (_, start, end) => body(start, end));

    private void PrepareWindows()
    {
        double e = Epsilon / 9;
        ParallelRanges(_windowList.Length, (start, end) =>
        {
            for (int index = start; index < end; index++)
                {
                    int centre = _windowList[index], x = centre % _width, y = centre / _width;
                    double m0 = 0, m1 = 0, m2 = 0, s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int j = 3 * ((y + dy) * _width + x + dx);
                            double c0 = Colour(j), c1 = Colour(j + 1), c2 = Colour(j + 2);
                            m0 += c0; m1 += c1; m2 += c2;
                            s00 += c0 * c0; s01 += c0 * c1; s02 += c0 * c2; s11 += c1 * c1; s12 += c1 * c2; s22 += c2 * c2;
                        }
                    m0 /= 9; m1 /= 9; m2 /= 9;
                    double a00 = s00 / 9 - m0 * m0 + e, a01 = s01 / 9 - m0 * m1, a02 = s02 / 9 - m0 * m2;
                    double a11 = s11 / 9 - m1 * m1 + e, a12 = s12 / 9 - m1 * m2, a22 = s22 / 9 - m2 * m2 + e;
                    // Inverse of the symmetric 3×3 by cofactors (double: ε = 1e-7 makes flat windows near-singular).
                    double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
                    double det = a00 * c00 + a01 * c01 + a02 * c02;
                    double inv = 1 / det;
                    int w = 9 * index;
                    _windows[w] = m0; _windows[w + 1] = m1; _windows[w + 2] = m2;
                    _windows[w + 3] = c00 * inv;
                    _windows[w + 4] = c01 * inv;
                    _windows[w + 5] = c02 * inv;
                    _windows[w + 6] = (a00 * a22 - a02 * a02) * inv;
                    _windows[w + 7] = (a02 * a01 - a00 * a12) * inv;
                    _windows[w + 8] = (a00 * a11 - a01 * a01) * inv;
                }
        });
    }

    /// <summary>
    /// y = L x on the pixels this Laplacian was built for (y elsewhere is left as it was). Both are full-image
    /// vectors; x is read up to two pixels around those pixels.
    /// Allocation-free; parallel over rows.
    /// </summary>
    public void Multiply(double[] x, double[] y)
    {
        if (x.Length != _width * _height || y.Length != x.Length) throw new ArgumentException("x and y must have one value per pixel.");
        // Pass 1: a_k and b_k for every window.
        AllocateScratch();
        WindowPass(new VectorValues(x));
        // Pass 2: for each pixel, sum over the (interior) windows that contain it.
        ParallelRanges(_pixels.Length, (start, end) =>
        {
            for (int index = start; index < end; index++)
            {
                int i = _pixels[index];
                y[i] = Accumulate(i, x[i]);
            }
        });
    }

    /// <summary>x as the products read it: a vector, or the indicator of one trimap label.</summary>
    private interface IPixelValues { double At(int pixel); }

    private readonly struct VectorValues(double[] x) : IPixelValues
    {
        public double At(int pixel) => x[pixel];
    }

    private readonly struct IndicatorValues(byte[] labels, byte one) : IPixelValues
    {
        public double At(int pixel) => labels[pixel] == one ? 1 : 0;
    }

    /// <summary>
    /// Pass 1 of a product: a_k and b_k of every listed window from x. Generic over a struct so the JIT compiles
    /// one loop per kind of x, with the read inlined.
    /// </summary>
    private void WindowPass<TValues>(TValues x) where TValues : struct, IPixelValues =>
        ParallelRanges(_windowList.Length, (start, end) =>
        {
            for (int index = start; index < end; index++)
            {
                int wx = _windowList[index] % _width, wy = _windowList[index] / _width;
                double p = 0, q0 = 0, q1 = 0, q2 = 0;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int j = (wy + dy) * _width + wx - 1;
                    for (int t = 0; t < 3; t++, j++)
                    {
                        double v = x.At(j);
                        p += v; q0 += Colour(3 * j) * v; q1 += Colour(3 * j + 1) * v; q2 += Colour(3 * j + 2) * v;
                    }
                }
                WindowCoefficients(index, p / 9, q0 / 9, q1 / 9, q2 / 9);
            }
        });

    /// <summary>a_k and b_k of window <paramref name="index"/> from the window means of x and of I·x.</summary>
    private void WindowCoefficients(int index, double p, double q0, double q1, double q2)
    {
        int w = 9 * index;
        double m0 = _windows[w], m1 = _windows[w + 1], m2 = _windows[w + 2];
        double r0 = q0 - m0 * p, r1 = q1 - m1 * p, r2 = q2 - m2 * p;
        double a0 = _windows[w + 3] * r0 + _windows[w + 4] * r1 + _windows[w + 5] * r2;
        double a1 = _windows[w + 4] * r0 + _windows[w + 6] * r1 + _windows[w + 7] * r2;
        double a2 = _windows[w + 5] * r0 + _windows[w + 7] * r1 + _windows[w + 8] * r2;
        var a = _a!;
        a[3 * index] = a0; a[3 * index + 1] = a1; a[3 * index + 2] = a2;
        _b![index] = p - (a0 * m0 + a1 * m1 + a2 * m2);
    }

    /// <summary>(L x)_i = n_i x_i − Σ over the interior windows k containing pixel i of (a_kᵀ I_i + b_k).</summary>
    private double Accumulate(int i, double xi)
    {
        var (a, b) = (_a!, _b!);
        int px = i % _width, py = i / _width;
        double s0 = 0, s1 = 0, s2 = 0, sb = 0;
        int count = 0;
        for (int ky = Math.Max(py - 1, 1); ky <= Math.Min(py + 1, _height - 2); ky++)
            for (int kx = Math.Max(px - 1, 1); kx <= Math.Min(px + 1, _width - 2); kx++)
            {
                int k = _slot[ky * _width + kx];
                s0 += a[3 * k]; s1 += a[3 * k + 1]; s2 += a[3 * k + 2]; sb += b[k];
                count++;
            }
        return count * xi - (s0 * Colour(3 * i) + s1 * Colour(3 * i + 1) + s2 * Colour(3 * i + 2) + sb);
    }

    /// <summary>
    /// (L x)_i for each of this Laplacian's pixels (in their order), where x is 1 on the pixels the trimap labels
    /// <paramref name="label"/> and 0 elsewhere: the closed-form system's right-hand side comes from it. Unlike
    /// <see cref="Multiply"/> it needs no image-sized vectors (two doubles per pixel: 384 MB at 24 MP).
    /// </summary>
    public double[] MultiplyIndicator(Trimap trimap, TrimapLabel label)
    {
        if (trimap.Width != _width || trimap.Height != _height) throw new ArgumentException("The trimap must have the image's size.", nameof(trimap));
        var indicator = trimap.LabelArray;
        byte one = (byte)label;
        var result = new double[_pixels.Length];
        AllocateScratch();
        WindowPass(new IndicatorValues(indicator, one));
        ParallelRanges(_pixels.Length, (start, end) =>
        {
            for (int index = start; index < end; index++)
            {
                int i = _pixels[index];
                result[index] = Accumulate(i, indicator[i] == one ? 1 : 0);
            }
        });
        return result;
    }

    /// <summary>
    /// The lower triangle of L restricted to this Laplacian's pixels (in the order given, which must be raster
    /// order), in CSR form with the diagonal last in each row — what <see cref="Solvers.IncompleteCholesky"/> takes.
    /// Entry (i, j) = Σ over windows k containing both of δ_ij − (1 + (I_i−μ_k)ᵀ Δ_k⁻¹ (I_j−μ_k)) / 9.
    /// </summary>
    public (int[] RowStart, int[] Columns, double[] Values) LowerTriangle()
    {
        int n = _pixels.Length;
        var position = new int[_width * _height];
        Array.Fill(position, -1);
        for (int u = 0; u < n; u++) position[_pixels[u]] = u;
        // The 13 offsets (dy, dx) at or before the pixel in raster order, within the 5×5 reach of 3×3 windows.
        var offsets = new List<(int Dy, int Dx)>();
        for (int dy = -2; dy <= 0; dy++)
            for (int dx = -2; dx <= 2; dx++)
                if (dy < 0 || dx <= 0) offsets.Add((dy, dx));
        // Two passes so the CSR arrays are allocated once at their final size (at 12 MP, padded per-row scratch
        // and its packed copy were 480 MB of transient peak): count each row's stored neighbours, then fill.
        var rowStart = new int[n + 1];
        ParallelRanges(n, (start, end) =>
        {
            for (int u = start; u < end; u++)
            {
                int i = _pixels[u], px = i % _width, py = i / _width, count = 0;
                foreach (var (dy, dx) in offsets)
                {
                    int jx = px + dx, jy = py + dy;
                    if (jx >= 0 && jx < _width && jy >= 0 && position[jy * _width + jx] >= 0) count++;
                }
                rowStart[u + 1] = count;
            }
        });
        for (int u = 0; u < n; u++) rowStart[u + 1] += rowStart[u];
        var columns = new int[rowStart[n]];
        var values = new double[rowStart[n]];
        ParallelRanges(n, (start, end) =>
        {
            Span<double> acc = stackalloc double[25];
            for (int u = start; u < end; u++)
            {
                int i = _pixels[u], px = i % _width, py = i / _width;
                acc.Clear();
                double c0 = Colour(3 * i), c1 = Colour(3 * i + 1), c2 = Colour(3 * i + 2);
                for (int ky = Math.Max(py - 1, 1); ky <= Math.Min(py + 1, _height - 2); ky++)
                    for (int kx = Math.Max(px - 1, 1); kx <= Math.Min(px + 1, _width - 2); kx++)
                    {
                        int w = 9 * _slot[ky * _width + kx];
                        double d0 = c0 - _windows[w], d1 = c1 - _windows[w + 1], d2 = c2 - _windows[w + 2];
                        double v0 = _windows[w + 3] * d0 + _windows[w + 4] * d1 + _windows[w + 5] * d2;
                        double v1 = _windows[w + 4] * d0 + _windows[w + 6] * d1 + _windows[w + 7] * d2;
                        double v2 = _windows[w + 5] * d0 + _windows[w + 7] * d1 + _windows[w + 8] * d2;
                        for (int jy = ky - 1; jy <= ky + 1; jy++)
                            for (int jx = kx - 1; jx <= kx + 1; jx++)
                            {
                                int dy = jy - py, dx = jx - px;
                                if (dy > 0 || (dy == 0 && dx > 0)) continue; // upper triangle
                                int j = jy * _width + jx;
                                double q = v0 * (Colour(3 * j) - _windows[w]) + v1 * (Colour(3 * j + 1) - _windows[w + 1]) + v2 * (Colour(3 * j + 2) - _windows[w + 2]);
                                acc[(dy + 2) * 5 + dx + 2] += (j == i ? 1 : 0) - (1 + q) / 9.0;
                            }
                    }
                int o = rowStart[u];
                foreach (var (dy, dx) in offsets)
                {
                    int jx = px + dx, jy = py + dy;
                    if (jx < 0 || jx >= _width || jy < 0) continue;
                    int column = position[jy * _width + jx];
                    if (column < 0) continue;
                    columns[o] = column;
                    values[o++] = acc[(dy + 2) * 5 + dx + 2];
                }
            }
        });
        return (rowStart, columns, values);
    }

    /// <summary>The diagonal of L over the region (the Jacobi preconditioner).</summary>
    public void Diagonal(Span<float> diagonal)
    {
        foreach (int i in _pixels)
            {
                int px = i % _width, py = i / _width;
                double c0 = Colour(3 * i), c1 = Colour(3 * i + 1), c2 = Colour(3 * i + 2);
                double sum = 0;
                for (int ky = Math.Max(py - 1, 1); ky <= Math.Min(py + 1, _height - 2); ky++)
                    for (int kx = Math.Max(px - 1, 1); kx <= Math.Min(px + 1, _width - 2); kx++)
                    {
                        int w = 9 * _slot[ky * _width + kx];
                        double d0 = c0 - _windows[w], d1 = c1 - _windows[w + 1], d2 = c2 - _windows[w + 2];
                        double q = d0 * (_windows[w + 3] * d0 + 2 * (_windows[w + 4] * d1 + _windows[w + 5] * d2))
                                  + d1 * (_windows[w + 6] * d1 + 2 * _windows[w + 7] * d2) + d2 * _windows[w + 8] * d2;
                        sum += 1 - (1 + q) / 9;
                    }
                diagonal[i] = (float)sum;
            }
    }
}
