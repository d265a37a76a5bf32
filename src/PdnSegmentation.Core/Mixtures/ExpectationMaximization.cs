namespace PdnSegmentation.Mixtures;

public sealed record EmOptions
{
    public int MaxIterations { get; init; } = 100;
    /// <summary>Stop when the objective improves by less than this fraction of its magnitude.</summary>
    public double RelativeTolerance { get; init; } = 1e-8;
    /// <summary>
    /// Covariance regulariser λ: the M-step sets Σ_k = (S_k + λI) / N_k, the exact maximiser of
    /// log-likelihood − ½λ Σ_k tr(Σ_k⁻¹), so the reported objective still never decreases. λ = 0 is plain EM.
    /// </summary>
    public double Regularization { get; init; } = 1e-3;
}

public sealed record EmResult(ColorGmm Model, IReadOnlyList<double> ObjectiveTrace, int Iterations, bool Converged);

/// <summary>
/// Soft expectation–maximisation for a colour GMM (E-step responsibilities, M-step weights, means and full
/// covariances). The objective trace is the (penalised) log-likelihood after each iteration.
/// </summary>
public static class ExpectationMaximization
{
    public static EmResult Fit(ReadOnlySpan<float> samples, ColorGmm initial, EmOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmOptions();
        int n = samples.Length / 3;
        if (n == 0) throw new ArgumentException("No samples to fit.", nameof(samples));
        int k = initial.ComponentCount;
        var model = initial;
        var trace = new List<double>();
        var logTerms = new double[k];
        var stats = new GaussianStatistics[k];
        double previous = double.NegativeInfinity;
        bool converged = false;
        int iteration = 0;
        for (; iteration < options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(stats);
            double logLikelihood = 0;
            var components = model.Components;
            for (int i = 0; i < n; i++)
            {
                double x0 = samples[3 * i], x1 = samples[3 * i + 1], x2 = samples[3 * i + 2];
                double max = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    var g = components[c];
                    logTerms[c] = g.Weight > 0 ? Math.Log(g.Weight) + g.LogDensity(x0, x1, x2) : double.NegativeInfinity;
                    if (logTerms[c] > max) max = logTerms[c];
                }
                double sum = 0;
                for (int c = 0; c < k; c++) sum += Math.Exp(logTerms[c] - max);
                double logP = max + Math.Log(sum);
                logLikelihood += logP;
                for (int c = 0; c < k; c++)
                {
                    double r = Math.Exp(logTerms[c] - logP);
                    if (r > 0) stats[c].Add((float)x0, (float)x1, (float)x2, r);
                }
            }
            // The objective of the current model (before this M-step): its log-likelihood and penalty.
            double objective = logLikelihood - Penalty(model, options.Regularization);
            trace.Add(objective);
            if (iteration > 0 && objective - previous <= options.RelativeTolerance * Math.Abs(objective))
            {
                converged = true;
                break;
            }
            previous = objective;
            model = MStep(stats, model, n, options.Regularization);
        }
        return new EmResult(model, trace, iteration, converged);
    }

    private static ColorGmm MStep(GaussianStatistics[] stats, ColorGmm previous, int n, double lambda)
    {
        var components = new ColorGaussian[stats.Length];
        for (int c = 0; c < stats.Length; c++)
        {
            double nk = stats[c].Weight;
            // A component with (numerically) no responsibility has no effect on the likelihood: keep its shape.
            components[c] = nk > 1e-9
                ? ColorGaussian.FromStatistics(stats[c], nk / n, lambda / nk)
                : new ColorGaussian(0, previous.Components[c].Mean0, previous.Components[c].Mean1, previous.Components[c].Mean2, previous.Components[c].Covariance);
        }
        return new ColorGmm(components);
    }

    private static double Penalty(ColorGmm model, double lambda)
    {
        if (lambda == 0) return 0;
        double p = 0;
        foreach (var c in model.Components)
            if (c.Weight > 0) p += c.Inverse.C00 + c.Inverse.C11 + c.Inverse.C22;
        return 0.5 * lambda * p;
    }
}
