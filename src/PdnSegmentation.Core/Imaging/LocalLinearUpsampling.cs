using System.Runtime.CompilerServices;
using PdnSegmentation.Mixtures;
using PdnSegmentation.Parallelism;

namespace PdnSegmentation.Imaging;

/// <summary>
/// Brings a map computed on a reduced copy of a photo (a matte, a model's probability) back to the photo's size through
/// the local linear model of He, Sun &amp; Tang's guided filter: in a small window the map is an affine function of the
/// colours, v ≈ aᵀI + b. The coefficients are fitted where the map was computed — per reduced pixel the least-squares
/// a, b over its window, averaged over the windows that hold it — then interpolated bilinearly between the reduced
/// pixels' centres and applied to each full-size pixel's own colour (He &amp; Sun 2015, "Fast Guided Filter"). Edges
/// follow the full-size colours; the cost at full size is an interpolation and a dot product per pixel.
/// </summary>
/// <remarks>
/// Hand-written: OpenCV's guided filter (ximgproc) gives the filtered picture only, not its coefficients, so it can
/// filter at one size only — run at the photo's size on the enlarged map it took 53–146 ms of a 1 MP Smart Cut on two
/// cores, this 21–39 ms.
/// </remarks>
public static class LocalLinearUpsampling
{
    /// <summary>
    /// Over <paramref name="region"/> of the reduced photo: the mean, over the (2r+1)² windows holding each pixel, of the
    /// window's least-squares fit v ≈ aᵀI + b (colours in 0..1, windows clipped at the photo's border, ε added to the
    /// colour covariance's diagonal); four floats per pixel (a_R, a_G, a_B, b), row-major over the region.
    /// </summary>
    /// <param name="values">The map at the reduced photo's size, row-major.</param>
    public static float[] Coefficients(ColorImage small, float[] values, int radius, double epsilon, PixelRect region, int parallelism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(small);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != small.Width * small.Height) throw new ArgumentException("One value per pixel of the reduced photo is needed.", nameof(values));
        ArgumentOutOfRangeException.ThrowIfLessThan(radius, 1);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The regulariser must be positive.");
        if (parallelism <= 0) parallelism = Environment.ProcessorCount;
        int width = small.Width, height = small.Height;
        // The windows' fits on the region and radius pixels around it (the windows that hold the region's pixels).
        int fitLeft = Math.Max(0, region.X - radius), fitTop = Math.Max(0, region.Y - radius);
        int fitRight = Math.Min(width, region.Right + radius), fitBottom = Math.Min(height, region.Bottom + radius);
        int fitWidth = fitRight - fitLeft, fitHeight = fitBottom - fitTop;
        var fits = new float[4 * fitWidth * fitHeight];
        var fitted = new PixelRect(fitLeft, fitTop, fitWidth, fitHeight);
        RowChunks.Run(fitHeight, parallelism, cancellationToken, (_, first, end) => FitRows(small, values, fitted, radius, epsilon, fits, first, end));
        var averaged = new float[4 * region.Width * region.Height];
        RowChunks.Run(region.Height, parallelism, cancellationToken, (_, first, end) => AverageRows(fits, fitted, region, radius, width, height, averaged, first, end));
        return averaged;
    }

    // The kernels are compiled optimised at once: a Smart Cut runs them a few times per dialog, so the runtime's tiers
    // would run a process's first dialogs in unoptimised code (its second 1 MP dialog's upsampling took 37–58 ms so,
    // 22–23 ms compiled at once).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FitRows(ColorImage small, float[] values, PixelRect fitted, int radius, double epsilon, float[] fits, int first, int end)
    {
        for (int row = first; row < end; row++)
            for (int column = 0; column < fitted.Width; column++)
                FitWindow(small, values, fitted.X + column, fitted.Y + row, radius, epsilon, fits.AsSpan(4 * (row * fitted.Width + column), 4));
    }

    /// <summary>Rows first..end of the region: each pixel's mean of the fits of the windows that hold it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AverageRows(float[] fits, PixelRect fitted, PixelRect region, int radius, int width, int height, float[] averaged, int first, int end)
    {
        Span<double> sum = stackalloc double[4];
        for (int row = first; row < end; row++)
        {
            int y = region.Y + row;
            for (int column = 0; column < region.Width; column++)
            {
                int x = region.X + column;
                sum.Clear();
                int count = 0;
                for (int wy = Math.Max(0, y - radius); wy <= Math.Min(height - 1, y + radius); wy++)
                    for (int wx = Math.Max(0, x - radius); wx <= Math.Min(width - 1, x + radius); wx++)
                    {
                        var fit = fits.AsSpan(4 * ((wy - fitted.Y) * fitted.Width + wx - fitted.X), 4);
                        for (int c = 0; c < 4; c++) sum[c] += fit[c];
                        count++;
                    }
                var target = averaged.AsSpan(4 * (row * region.Width + column), 4);
                for (int c = 0; c < 4; c++) target[c] = (float)(sum[c] / count);
            }
        }
    }

    /// <summary>The least-squares a, b of v ≈ aᵀI + b over the window of <paramref name="radius"/> centred on (x, y), clipped to the photo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FitWindow(ColorImage image, float[] values, int x, int y, int radius, double epsilon, Span<float> fit)
    {
        int width = image.Width, height = image.Height;
        double n = 0, mr = 0, mg = 0, mb = 0, ma = 0;
        double rr = 0, rg = 0, rb = 0, gg = 0, gb = 0, bb = 0, ra = 0, ga = 0, ba = 0;
        for (int wy = Math.Max(0, y - radius); wy <= Math.Min(height - 1, y + radius); wy++)
        {
            var row = image.Row(wy);
            for (int wx = Math.Max(0, x - radius); wx <= Math.Min(width - 1, x + radius); wx++)
            {
                double b = row[4 * wx] / 255.0, g = row[4 * wx + 1] / 255.0, r = row[4 * wx + 2] / 255.0, a = values[wy * width + wx];
                n++;
                mr += r; mg += g; mb += b; ma += a;
                rr += r * r; rg += r * g; rb += r * b; gg += g * g; gb += g * b; bb += b * b;
                ra += r * a; ga += g * a; ba += b * a;
            }
        }
        mr /= n; mg /= n; mb /= n; ma /= n;
        // The window's colour covariance (regularised; positive definite, determinant ≥ ε³) and its covariance with v.
        var covariance = new Covariance3(rr / n - mr * mr + epsilon, rg / n - mr * mg, rb / n - mr * mb,
            gg / n - mg * mg + epsilon, gb / n - mg * mb, bb / n - mb * mb + epsilon);
        var inverse = covariance.Inverse(covariance.Determinant());
        double c0 = ra / n - mr * ma, c1 = ga / n - mg * ma, c2 = ba / n - mb * ma;
        double ar = inverse.C00 * c0 + inverse.C01 * c1 + inverse.C02 * c2;
        double ag = inverse.C01 * c0 + inverse.C11 * c1 + inverse.C12 * c2;
        double ab = inverse.C02 * c0 + inverse.C12 * c1 + inverse.C22 * c2;
        fit[0] = (float)ar;
        fit[1] = (float)ag;
        fit[2] = (float)ab;
        fit[3] = (float)(ma - ar * mr - ag * mg - ab * mb);
    }

    /// <summary>
    /// Writes aᵀI + b, clamped to 0..1, into <paramref name="output"/> (row-major at the photo's size) for every pixel of
    /// <paramref name="image"/> — or, with <paramref name="onlyWhere"/>, only where it holds <paramref name="onlyValue"/>
    /// (the rest is left as it is) — with the coefficients (<see cref="Coefficients"/> over <paramref name="region"/>)
    /// interpolated bilinearly between the reduced pixels' centres: full-size pixel x sits at (x + ½) / factor − ½ in the
    /// reduced photo.
    /// </summary>
    /// <param name="factorX">The photo's width over the reduced photo's (the reduction, for pixel centres).</param>
    /// <param name="factorY">The photo's height over the reduced photo's.</param>
    public static void Apply(ColorImage image, float[] coefficients, PixelRect region, double factorX, double factorY, float[] output,
        int parallelism, CancellationToken cancellationToken = default, byte[]? onlyWhere = null, byte onlyValue = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(output);
        int width = image.Width;
        if (output.Length != width * image.Height) throw new ArgumentException("One output value per pixel is needed.", nameof(output));
        if (region.IsEmpty) throw new ArgumentException("The coefficients' region is empty.", nameof(region));
        if (coefficients.Length != 4 * region.Width * region.Height) throw new ArgumentException("Four coefficients per pixel of the region are needed.", nameof(coefficients));
        if (parallelism <= 0) parallelism = Environment.ProcessorCount;
        int regionRight = region.Right - 1, regionBottom = region.Bottom - 1;
        // Per column: the two reduced columns and the weight between them (the same on every row).
        var columns = new (int I0, int I1, float Fx)[width];
        for (int x = 0; x < width; x++)
        {
            double cx = (x + 0.5) / factorX - 0.5;
            int x0 = Math.Clamp((int)Math.Floor(cx), region.X, regionRight), x1 = Math.Min(x0 + 1, regionRight);
            columns[x] = (4 * (x0 - region.X), 4 * (x1 - region.X), (float)Math.Clamp(cx - x0, 0, 1));
        }
        RowChunks.Run(image.Height, parallelism, cancellationToken, (_, first, end) =>
            ApplyRows(image, coefficients, region, factorY, columns, output, onlyWhere, onlyValue, first, end));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyRows(ColorImage image, float[] coefficients, PixelRect region, double factorY, (int I0, int I1, float Fx)[] columns,
        float[] output, byte[]? onlyWhere, byte onlyValue, int first, int end)
    {
        int width = image.Width, regionBottom = region.Bottom - 1;
        // The coefficients interpolated between the row's two reduced rows, once per row: each pixel then
        // interpolates between two columns only.
        var between = System.Buffers.ArrayPool<float>.Shared.Rent(4 * region.Width);
        for (int y = first; y < end; y++)
        {
            double cy = (y + 0.5) / factorY - 0.5;
            int y0 = Math.Clamp((int)Math.Floor(cy), region.Y, regionBottom), y1 = Math.Min(y0 + 1, regionBottom);
            float fy = (float)Math.Clamp(cy - y0, 0, 1);
            var top = coefficients.AsSpan(4 * (y0 - region.Y) * region.Width, 4 * region.Width);
            var bottom = coefficients.AsSpan(4 * (y1 - region.Y) * region.Width, 4 * region.Width);
            var row = between.AsSpan(0, 4 * region.Width);
            for (int j = 0; j < row.Length; j++) row[j] = top[j] + fy * (bottom[j] - top[j]);
            var pixels = image.Row(y);
            for (int x = 0, i = y * width; x < width; x++, i++)
            {
                if (onlyWhere is not null && onlyWhere[i] != onlyValue) continue;
                var (i0, i1, fx) = columns[x];
                // a_R, a_G, a_B times the pixel's colour (stored B, G, R), plus b.
                float ar = row[i0] + fx * (row[i1] - row[i0]);
                float ag = row[i0 + 1] + fx * (row[i1 + 1] - row[i0 + 1]);
                float ab = row[i0 + 2] + fx * (row[i1 + 2] - row[i0 + 2]);
                float b = row[i0 + 3] + fx * (row[i1 + 3] - row[i0 + 3]);
                float value = (ar * pixels[4 * x + 2] + ag * pixels[4 * x + 1] + ab * pixels[4 * x]) * (1f / 255f) + b;
                output[i] = Math.Clamp(value, 0, 1);
            }
        }
        System.Buffers.ArrayPool<float>.Shared.Return(between);
    }
}
