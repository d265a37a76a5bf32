using MathNet.Numerics.LinearAlgebra;

namespace PdnSegmentation.Mixtures;

/// <summary>
/// Orchard &amp; Bouman (1991) colour quantisation: start from one cluster and repeatedly split the cluster with
/// the largest eigenvalue of its (weighted) covariance by the plane through its mean normal to the principal
/// eigenvector. Used for GMM initialisation and, weighted, by Bayesian matting.
/// </summary>
public static class OrchardBouman
{
    /// <summary>Writes each sample's cluster (0..k-1); weights may be empty (all 1). Returns the clusters made.</summary>
    public static int Cluster(ReadOnlySpan<float> samples, ReadOnlySpan<float> weights, int k, Span<int> labels)
    {
        int n = samples.Length / 3;
        if (k <= 0 || n == 0) throw new ArgumentOutOfRangeException(nameof(k));
        labels[..n].Clear();
        var stats = new List<GaussianStatistics> { Statistics(samples, weights, labels, 0) };
        while (stats.Count < k)
        {
            int split = -1;
            double bestLambda = 0;
            Vector<double>? bestAxis = null;
            for (int c = 0; c < stats.Count; c++)
            {
                var s = stats[c];
                if (s.Weight <= 0) continue;
                var (lambda, axis) = PrincipalAxis(s);
                if (lambda > bestLambda) { bestLambda = lambda; split = c; bestAxis = axis; }
            }
            if (split < 0 || bestLambda <= 1e-12) break; // every cluster is a single colour
            var sp = stats[split];
            double m0 = sp.S0 / sp.Weight, m1 = sp.S1 / sp.Weight, m2 = sp.S2 / sp.Weight;
            double threshold = bestAxis![0] * m0 + bestAxis[1] * m1 + bestAxis[2] * m2;
            int newLabel = stats.Count;
            for (int i = 0; i < n; i++)
            {
                if (labels[i] != split) continue;
                double p = bestAxis[0] * samples[3 * i] + bestAxis[1] * samples[3 * i + 1] + bestAxis[2] * samples[3 * i + 2];
                if (p > threshold) labels[i] = newLabel;
            }
            stats[split] = Statistics(samples, weights, labels, split);
            stats.Add(Statistics(samples, weights, labels, newLabel));
        }
        return stats.Count;
    }

    private static GaussianStatistics Statistics(ReadOnlySpan<float> samples, ReadOnlySpan<float> weights, ReadOnlySpan<int> labels, int label)
    {
        var s = new GaussianStatistics();
        int n = samples.Length / 3;
        for (int i = 0; i < n; i++)
            if (labels[i] == label)
                s.Add(samples[3 * i], samples[3 * i + 1], samples[3 * i + 2], weights.IsEmpty ? 1.0 : weights[i]);
        return s;
    }

    // A 3×3 symmetric eigenproblem K−1 times per model: MathNet's EVD is exact and not on any hot path.
    private static (double Lambda, Vector<double> Axis) PrincipalAxis(in GaussianStatistics s)
    {
        double n = s.Weight;
        double m0 = s.S0 / n, m1 = s.S1 / n, m2 = s.S2 / n;
        var cov = Matrix<double>.Build.DenseOfArray(new[,]
        {
            { s.S00 / n - m0 * m0, s.S01 / n - m0 * m1, s.S02 / n - m0 * m2 },
            { s.S01 / n - m0 * m1, s.S11 / n - m1 * m1, s.S12 / n - m1 * m2 },
            { s.S02 / n - m0 * m2, s.S12 / n - m1 * m2, s.S22 / n - m2 * m2 },
        });
        var evd = cov.Evd(Symmetricity.Symmetric);
        int best = 0;
        for (int i = 1; i < 3; i++) if (evd.EigenValues[i].Real > evd.EigenValues[best].Real) best = i;
        return (evd.EigenValues[best].Real, evd.EigenVectors.Column(best));
    }
}
