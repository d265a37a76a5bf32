using PdnSegmentation.Mixtures;

namespace PdnSegmentation.Tests.Mixtures;

public class MixtureTests
{
    private static float[] Blobs(Random random, int perBlob, params (double M0, double M1, double M2, double Sigma)[] blobs)
    {
        var samples = new float[blobs.Length * perBlob * 3];
        int n = 0;
        foreach (var b in blobs)
            for (int i = 0; i < perBlob; i++)
            {
                samples[n++] = (float)(b.M0 + b.Sigma * Normal(random));
                samples[n++] = (float)(b.M1 + b.Sigma * 0.5 * Normal(random));
                samples[n++] = (float)(b.M2 + b.Sigma * Normal(random) + 0.3 * (samples[n - 2] - b.M0));
            }
        return samples;
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(3, 1e-3)]
    [InlineData(4, 10.0)]
    public void EmObjectiveNeverDecreases(int seed, double lambda)
    {
        var random = new Random(seed);
        var samples = Blobs(random, 300, (50, 60, 70, 10), (150, 100, 30, 20), (90, 200, 180, 5), (100, 100, 100, 40));
        // A deliberately poor start: k-means with 5 components on 4 blobs, one iteration only.
        var init = ColorGmm.Initialize(samples, 5, GmmInitialization.KMeans, ridge: 1, seed);
        var result = ExpectationMaximization.Fit(samples, init, new EmOptions { MaxIterations = 60, Regularization = lambda, RelativeTolerance = 0 });
        Assert.True(result.ObjectiveTrace.Count >= 10);
        for (int i = 1; i < result.ObjectiveTrace.Count; i++)
            Assert.True(result.ObjectiveTrace[i] >= result.ObjectiveTrace[i - 1] - 1e-9 * Math.Abs(result.ObjectiveTrace[i - 1]),
                $"objective fell at {i}: {result.ObjectiveTrace[i - 1]} → {result.ObjectiveTrace[i]}");
    }

    [Fact]
    public void EmRecoversWellSeparatedComponents()
    {
        var random = new Random(5);
        var samples = Blobs(random, 2000, (40, 40, 40, 6), (200, 60, 120, 6), (100, 220, 30, 6));
        var init = ColorGmm.Initialize(samples, 3, GmmInitialization.OrchardBouman, ridge: 1);
        var model = ExpectationMaximization.Fit(samples, init).Model;
        var means = model.Components.Select(c => (c.Mean0, c.Mean1, c.Mean2)).OrderBy(m => m.Mean0).ToArray();
        Assert.Equal(40, means[0].Mean0, 1.0);
        Assert.Equal(100, means[1].Mean0, 1.0);
        Assert.Equal(220, means[1].Mean1, 1.0);
        Assert.Equal(200, means[2].Mean0, 1.0);
        foreach (var c in model.Components) Assert.Equal(1.0 / 3, c.Weight, 0.01);
    }

    [Fact]
    public void FlatColourGivesARegularisedModel()
    {
        var samples = Enumerable.Repeat(new float[] { 128, 64, 32 }, 500).SelectMany(x => x).ToArray();
        var model = ColorGmm.Initialize(samples, 5, GmmInitialization.KMeans, ridge: 0.01);
        float cost = model.BestCost(128, 64, 32, out _);
        Assert.True(float.IsFinite(cost));
        Assert.True(model.BestCost(129, 64, 32, out _) > cost); // still a proper peak
        var em = ExpectationMaximization.Fit(samples, model);
        Assert.True(double.IsFinite(em.ObjectiveTrace[^1]));
    }

    [Fact]
    public void BestCostMatchesTheLogDensityOfTheBestComponent()
    {
        var random = new Random(9);
        var samples = Blobs(random, 200, (50, 60, 70, 10), (150, 100, 30, 20));
        var model = ColorGmm.Initialize(samples, 2, GmmInitialization.KMeans, ridge: 0.5);
        for (int i = 0; i < 50; i++)
        {
            float x0 = random.Next(256), x1 = random.Next(256), x2 = random.Next(256);
            float best = model.BestCost(x0, x1, x2, out int k);
            var c = model.Components[k];
            // D = −log π − log N(x) − (3/2) log 2π
            double expected = -Math.Log(c.Weight) - c.LogDensity(x0, x1, x2) - 1.5 * Math.Log(2 * Math.PI);
            Assert.Equal(expected, best, Math.Abs(expected) * 1e-4 + 1e-3);
            for (int j = 0; j < model.ComponentCount; j++) Assert.True(model.ComponentCost(j, x0, x1, x2) >= best - 1e-3);
        }
    }

    [Fact]
    public void OrchardBoumanSplitsAlongThePrincipalAxis()
    {
        var random = new Random(3);
        var samples = Blobs(random, 400, (30, 30, 30, 3), (220, 30, 30, 3));
        var labels = new int[800];
        int made = OrchardBouman.Cluster(samples, default, 2, labels);
        Assert.Equal(2, made);
        Assert.All(labels.Take(400), l => Assert.Equal(labels[0], l));
        Assert.All(labels.Skip(400), l => Assert.NotEqual(labels[0], l));
    }

    [Fact]
    public void KMeansIsDeterministicForASeed()
    {
        var random = new Random(4);
        var samples = Blobs(random, 300, (50, 60, 70, 10), (150, 100, 30, 20), (90, 200, 180, 5));
        var a = new int[900];
        var b = new int[900];
        var ca = KMeans.Cluster(samples, 3, a, 20, seed: 7);
        var cb = KMeans.Cluster(samples, 3, b, 20, seed: 7);
        Assert.Equal(ca, cb);
        Assert.Equal(a, b);
        // Three well-separated blobs: each blob is one cluster.
        for (int blob = 0; blob < 3; blob++)
            Assert.Single(a.Skip(blob * 300).Take(300).Distinct());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RowCostsMatchThePerPixelCosts(bool mixture)
    {
        var random = new Random(21);
        var samples = Blobs(random, 400, (50, 60, 70, 10), (150, 100, 30, 20), (90, 200, 180, 5));
        // Five components on three blobs plus a weightless one: every branch of the vector loop, and a tail of 5 pixels.
        var fitted = ColorGmm.Initialize(samples, 5, GmmInitialization.KMeans, ridge: 1, seed: 3);
        var model = new ColorGmm(fitted.Components.Append(new ColorGaussian(0, 0, 0, 0, Covariance3.Identity(1))).ToList());
        const int n = 8 * 37 + 5;
        var bgra = new byte[4 * n];
        random.NextBytes(bgra);
        var costs = new float[n];
        var components = new byte[n];
        model.Costs(bgra, mixture, costs, components);
        for (int i = 0; i < n; i++)
        {
            float c0 = bgra[4 * i], c1 = bgra[4 * i + 1], c2 = bgra[4 * i + 2];
            float expected = mixture ? model.MixtureCost(c0, c1, c2, out int k) : model.BestCost(c0, c1, c2, out k);
            Assert.Equal(expected, costs[i], 1e-5f * Math.Max(1, Math.Abs(expected)));
            Assert.Equal(k, components[i]);
        }
}

public class SmallDenseAlgebraTests
{
    private static Covariance3 RandomSymmetric(Random random, bool positiveDefinite)
    {
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 3, (_, _) => random.NextDouble() * 2 - 1);
        var s = positiveDefinite ? a * a.Transpose() : a + a.Transpose();
        return new Covariance3(s[0, 0], s[0, 1], s[0, 2], s[1, 1], s[1, 2], s[2, 2]);
    }

    [Fact]
    public void PrincipalAxisMatchesMathNetsEigenDecomposition()
    {
        var random = new Random(11);
        var cases = Enumerable.Range(0, 500).Select(i => RandomSymmetric(random, i % 2 == 0)).ToList();
        // Degenerate ones: a double largest eigenvalue, a multiple of the identity, a diagonal matrix, rank one.
        cases.Add(new Covariance3(2, 0, 0, 2, 0, 1));
        cases.Add(new Covariance3(3, 1, 1, 3, 1, 3)); // eigenvalues 5, 2, 2
        cases.Add(new Covariance3(1, 1, 1, 1, 1, 1) with { C00 = 1 }); // rank one, eigenvalue 3
        cases.Add(Covariance3.Identity(0.5));
        cases.Add(new Covariance3(0.1, 0, 0, 0.3, 0, 0.2));
        foreach (var c in cases)
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new[,] { { c.C00, c.C01, c.C02 }, { c.C01, c.C11, c.C12 }, { c.C02, c.C12, c.C22 } });
            double expected = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
            var (lambda, x, y, z) = PrincipalAxis.Of(c);
            Assert.Equal(expected, lambda, 1e-9 * (1 + Math.Abs(expected)));
            Assert.Equal(1, x * x + y * y + z * z, 1e-9);
            // A v = λ v.
            var v = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray([x, y, z]);
            Assert.True((m * v - lambda * v).L2Norm() < 1e-7 * (1 + Math.Abs(lambda)), $"residual for {c}");
        }
    }

    [Fact]
    public void SixBySixSolveMatchesMathNet()
    {
        var random = new Random(12);
        for (int trial = 0; trial < 200; trial++)
        {
            var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(6, 6, (_, _) => random.NextDouble() - 0.5);
            var spd = a * a.Transpose() + MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(6) * 1e-3;
            var b = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(6, _ => random.NextDouble());
            var expected = spd.Solve(b);
            var m = new double[36];
            // Only the upper triangle is read; poison the lower one to prove it.
            for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) m[i * 6 + j] = j >= i ? spd[i, j] : double.NaN;
            var x = b.ToArray();
            PdnSegmentation.Solvers.SymmetricSolve6.Solve(m, x);
            for (int i = 0; i < 6; i++) Assert.Equal(expected[i], x[i], 1e-6 * (1 + Math.Abs(expected[i])));
        }
    }

    [Fact]
    public void OrchardBoumanStopsSplittingBelowTheVarianceThreshold()
    {
        var random = new Random(13);
        var samples = new float[3 * 600];
        // Two tight blobs far apart: one split, then both blobs are below the threshold.
        for (int i = 0; i < 600; i++)
            for (int c = 0; c < 3; c++)
                samples[3 * i + c] = (i < 300 ? 0.2f : 0.8f) + (float)(random.NextDouble() - 0.5) * 0.02f;
        var weights = Enumerable.Range(0, 600).Select(i => i % 3 == 0 ? 2f : 1f).ToArray();
        var stats = new GaussianStatistics[5];
        int made = OrchardBouman.Cluster(samples, weights, 5, 0.001, new int[600], stats);
        Assert.Equal(2, made);
        Assert.Equal(weights.Sum(), stats[0].Weight + stats[1].Weight, 1e-3);
    }
    }
}
