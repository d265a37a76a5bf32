namespace PdnSegmentation.Mixtures;

/// <summary>
/// One full-covariance Gaussian over 3-channel colour, with the inverse and log-determinant precomputed so the
/// per-pixel cost is a handful of multiply-adds.
/// </summary>
public readonly struct ColorGaussian
{
    public double Weight { get; }
    public double Mean0 { get; }
    public double Mean1 { get; }
    public double Mean2 { get; }
    /// <summary>Covariance, upper triangle: 00, 01, 02, 11, 12, 22.</summary>
    public Covariance3 Covariance { get; }
    public Covariance3 Inverse { get; }
    public double LogDeterminant { get; }

    public ColorGaussian(double weight, double m0, double m1, double m2, Covariance3 covariance)
    {
        Weight = weight;
        Mean0 = m0; Mean1 = m1; Mean2 = m2;
        Covariance = covariance;
        double det = covariance.Determinant();
        if (!(det > 0) || double.IsInfinity(det))
            throw new ArgumentException("Covariance must be positive definite; regularise it before building a Gaussian.");
        LogDeterminant = Math.Log(det);
        Inverse = covariance.Inverse(det);
    }

    /// <summary>Squared Mahalanobis distance of x from the mean.</summary>
    public double Mahalanobis(double x0, double x1, double x2)
    {
        double d0 = x0 - Mean0, d1 = x1 - Mean1, d2 = x2 - Mean2;
        var s = Inverse;
        return d0 * (s.C00 * d0 + 2 * (s.C01 * d1 + s.C02 * d2)) + d1 * (s.C11 * d1 + 2 * s.C12 * d2) + d2 * s.C22 * d2;
    }

    /// <summary>log N(x | μ, Σ).</summary>
    public double LogDensity(double x0, double x1, double x2) =>
        -0.5 * (3 * Math.Log(2 * Math.PI) + LogDeterminant + Mahalanobis(x0, x1, x2));

    /// <summary>
    /// Re-estimates a Gaussian from statistics: Σ = scatter / n − μμᵀ + ridge·I. The ridge keeps flat regions
    /// (zero variance) from giving a singular matrix.
    /// </summary>
    public static ColorGaussian FromStatistics(in GaussianStatistics s, double weight, double ridge)
    {
        double n = s.Weight;
        double m0 = s.S0 / n, m1 = s.S1 / n, m2 = s.S2 / n;
        var cov = new Covariance3(
            s.S00 / n - m0 * m0 + ridge, s.S01 / n - m0 * m1, s.S02 / n - m0 * m2,
            s.S11 / n - m1 * m1 + ridge, s.S12 / n - m1 * m2,
            s.S22 / n - m2 * m2 + ridge);
        // Round-off in scatter − μμᵀ can leave a nearly singular matrix slightly indefinite; nudge until it is not.
        double extra = Math.Max(ridge, 1e-6);
        while (!(cov.Determinant() > 1e-12) || cov.C00 <= 0 || cov.C11 <= 0 || cov.C22 <= 0)
        {
            cov = cov.AddToDiagonal(extra);
            extra *= 10;
        }
        return new ColorGaussian(weight, m0, m1, m2, cov);
    }
}

/// <summary>A symmetric 3×3 matrix stored as its upper triangle.</summary>
public readonly record struct Covariance3(double C00, double C01, double C02, double C11, double C12, double C22)
{
    public static Covariance3 Identity(double scale) => new(scale, 0, 0, scale, 0, scale);

    public double Determinant() =>
        C00 * (C11 * C22 - C12 * C12) - C01 * (C01 * C22 - C12 * C02) + C02 * (C01 * C12 - C11 * C02);

    public Covariance3 Inverse(double det)
    {
        double inv = 1 / det;
        return new Covariance3(
            (C11 * C22 - C12 * C12) * inv,
            (C02 * C12 - C01 * C22) * inv,
            (C01 * C12 - C02 * C11) * inv,
            (C00 * C22 - C02 * C02) * inv,
            (C02 * C01 - C00 * C12) * inv,
            (C00 * C11 - C01 * C01) * inv);
    }

    public Covariance3 AddToDiagonal(double v) => this with { C00 = C00 + v, C11 = C11 + v, C22 = C22 + v };
}
