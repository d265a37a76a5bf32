namespace PdnSegmentation.Mixtures;

/// <summary>
/// Weighted sufficient statistics of 3-D samples (count, sums, sums of products) — all that is needed to
/// re-estimate one Gaussian. Kept in double: 24-megapixel sums of squares overflow float's precision.
/// </summary>
public struct GaussianStatistics
{
    public double Weight;
    public double S0, S1, S2;
    public double S00, S01, S02, S11, S12, S22;

    public void Add(float x0, float x1, float x2)
    {
        Weight += 1;
        S0 += x0; S1 += x1; S2 += x2;
        S00 += x0 * x0; S01 += x0 * x1; S02 += x0 * x2;
        S11 += x1 * x1; S12 += x1 * x2; S22 += x2 * x2;
    }

    public void Add(float x0, float x1, float x2, double w)
    {
        Weight += w;
        double w0 = w * x0, w1 = w * x1, w2 = w * x2;
        S0 += w0; S1 += w1; S2 += w2;
        S00 += w0 * x0; S01 += w0 * x1; S02 += w0 * x2;
        S11 += w1 * x1; S12 += w1 * x2; S22 += w2 * x2;
    }

    public void Add(in GaussianStatistics other)
    {
        Weight += other.Weight;
        S0 += other.S0; S1 += other.S1; S2 += other.S2;
        S00 += other.S00; S01 += other.S01; S02 += other.S02;
        S11 += other.S11; S12 += other.S12; S22 += other.S22;
    }
}
