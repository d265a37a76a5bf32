namespace PdnSegmentation.Mixtures;

/// <summary>
/// Lloyd's k-means on 3-channel samples with k-means++ seeding. Hand-written rather than Cv2.Kmans because the
/// engine clusters spans it already holds (no Mat copies) and must be deterministic for a given seed.
/// </summary>
public static class KMeans
{
    /// <summary>Clusters interleaved samples into k groups; writes each sample's cluster and returns the centres (k × 3).</summary>
    public static float[] Cluster(ReadOnlySpan<float> samples, int k, Span<int> labels, int maxIterations = 10, int seed = 1)
    {
        int n = samples.Length / 3;
        if (k <= 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{n}.");
        if (labels.Length < n) throw new ArgumentException("Label span is shorter than the sample count.", nameof(labels));
        var centers = new float[k * 3];
        SeedPlusPlus(samples, k, centers, new Random(seed));

        var sums = new double[k * 3];
        var counts = new int[k];
        for (int iteration = 0; iteration < Math.Max(1, maxIterations); iteration++)
        {
            bool changed = false;
            Array.Clear(sums); Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                float x0 = samples[3 * i], x1 = samples[3 * i + 1], x2 = samples[3 * i + 2];
                int best = Nearest(centers, k, x0, x1, x2, out _);
                if (iteration == 0 || labels[i] != best) { changed = true; labels[i] = best; }
                counts[best]++;
                sums[3 * best] += x0; sums[3 * best + 1] += x1; sums[3 * best + 2] += x2;
            }
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0) continue; // an empty cluster keeps its centre
                centers[3 * c] = (float)(sums[3 * c] / counts[c]);
                centers[3 * c + 1] = (float)(sums[3 * c + 1] / counts[c]);
                centers[3 * c + 2] = (float)(sums[3 * c + 2] / counts[c]);
            }
            if (!changed) break;
        }
        // Final labels against the final centres.
        for (int i = 0; i < n; i++)
            labels[i] = Nearest(centers, k, samples[3 * i], samples[3 * i + 1], samples[3 * i + 2], out _);
        return centers;
    }

    public static int Nearest(ReadOnlySpan<float> centers, int k, float x0, float x1, float x2, out float squaredDistance)
    {
        int best = 0;
        float bestD = float.PositiveInfinity;
        for (int c = 0; c < k; c++)
        {
            float d0 = x0 - centers[3 * c], d1 = x1 - centers[3 * c + 1], d2 = x2 - centers[3 * c + 2];
            float d = d0 * d0 + d1 * d1 + d2 * d2;
            if (d < bestD) { bestD = d; best = c; }
        }
        squaredDistance = bestD;
        return best;
    }

    private static void SeedPlusPlus(ReadOnlySpan<float> samples, int k, float[] centers, Random random)
    {
        int n = samples.Length / 3;
        int first = random.Next(n);
        samples.Slice(3 * first, 3).CopyTo(centers);
        var nearest = new float[n];
        for (int i = 0; i < n; i++) nearest[i] = SquaredDistance(samples, i, centers, 0);
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            foreach (float d in nearest) total += d;
            int chosen;
            if (total <= 0) chosen = random.Next(n); // all samples coincide with centres
            else
            {
                double target = random.NextDouble() * total, acc = 0;
                chosen = n - 1;
                for (int i = 0; i < n; i++) { acc += nearest[i]; if (acc >= target) { chosen = i; break; } }
            }
            samples.Slice(3 * chosen, 3).CopyTo(centers.AsSpan(3 * c));
            for (int i = 0; i < n; i++) nearest[i] = Math.Min(nearest[i], SquaredDistance(samples, i, centers, c));
        }
    }

    private static float SquaredDistance(ReadOnlySpan<float> samples, int i, float[] centers, int c)
    {
        float d0 = samples[3 * i] - centers[3 * c], d1 = samples[3 * i + 1] - centers[3 * c + 1], d2 = samples[3 * i + 2] - centers[3 * c + 2];
        return d0 * d0 + d1 * d1 + d2 * d2;
    }
}
