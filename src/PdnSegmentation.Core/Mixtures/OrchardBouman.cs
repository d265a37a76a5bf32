namespace PdnSegmentation.Mixtures;

/// <summary>
/// Orchard &amp; Bouman (1991) colour quantisation: start from one cluster and repeatedly split the cluster with
/// the largest eigenvalue of its (weighted) covariance by the plane through its mean normal to the principal
/// eigenvector. Used for GMM initialisation and, weighted, by Bayesian matting for every unknown pixel — hence the
/// allocation-free form that takes the caller's buffers.
/// </summary>
public static class OrchardBouman
{
    /// <summary>Writes each sample's cluster (0..k-1); weights may be empty (all 1). Returns the clusters made.</summary>
    public static int Cluster(ReadOnlySpan<float> samples, ReadOnlySpan<float> weights, int k, Span<int> labels)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k));
        return Cluster(samples, weights, k, minSplitVariance: 1e-12, labels, new GaussianStatistics[k]);
    }

    /// <summary>
    /// Splits until there are <paramref name="maxClusters"/> clusters or no cluster's principal variance exceeds
    /// <paramref name="minSplitVariance"/>. Leaves each cluster's weighted statistics in <paramref name="clusters"/>.
    /// </summary>
    public static int Cluster(ReadOnlySpan<float> samples, ReadOnlySpan<float> weights, int maxClusters, double minSplitVariance,
        Span<int> labels, Span<GaussianStatistics> clusters)
    {
        int n = samples.Length / 3;
        if (maxClusters <= 0 || n == 0) throw new ArgumentOutOfRangeException(nameof(maxClusters));
        if (clusters.Length < maxClusters) throw new ArgumentException("Room for maxClusters statistics is needed.", nameof(clusters));
        labels[..n].Clear();
        clusters[0] = Statistics(samples, weights, labels, 0);
        int count = 1;
        while (count < maxClusters)
        {
            int split = -1;
            double bestLambda = minSplitVariance, ax = 0, ay = 0, az = 0;
            for (int c = 0; c < count; c++)
            {
                ref readonly var s = ref clusters[c];
                if (s.Weight <= 0) continue;
                var (lambda, x, y, z) = PrincipalAxis.Of(Covariance(s));
                if (lambda > bestLambda) { bestLambda = lambda; split = c; ax = x; ay = y; az = z; }
            }
            if (split < 0) break;
            ref readonly var sp = ref clusters[split];
            double threshold = (ax * sp.S0 + ay * sp.S1 + az * sp.S2) / sp.Weight;
            int newLabel = count;
            for (int i = 0; i < n; i++)
            {
                if (labels[i] != split) continue;
                double p = ax * samples[3 * i] + ay * samples[3 * i + 1] + az * samples[3 * i + 2];
                if (p > threshold) labels[i] = newLabel;
            }
            clusters[split] = Statistics(samples, weights, labels, split);
            clusters[newLabel] = Statistics(samples, weights, labels, newLabel);
            count++;
            // A split that moved nothing (all samples on the plane) cannot make progress.
            if (clusters[newLabel].Weight <= 0 || clusters[split].Weight <= 0) { count--; RelabelBack(labels[..n], newLabel, split); clusters[split] = Statistics(samples, weights, labels, split); break; }
        }
        return count;
    }

    private static void RelabelBack(Span<int> labels, int from, int to)
    {
        for (int i = 0; i < labels.Length; i++) if (labels[i] == from) labels[i] = to;
    }

    /// <summary>Weighted covariance (scatter / weight − μμᵀ).</summary>
    public static Covariance3 Covariance(in GaussianStatistics s)
    {
        double w = s.Weight;
        double m0 = s.S0 / w, m1 = s.S1 / w, m2 = s.S2 / w;
        return new Covariance3(
            s.S00 / w - m0 * m0, s.S01 / w - m0 * m1, s.S02 / w - m0 * m2,
            s.S11 / w - m1 * m1, s.S12 / w - m1 * m2,
            s.S22 / w - m2 * m2);
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
}
