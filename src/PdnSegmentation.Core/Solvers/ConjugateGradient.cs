namespace PdnSegmentation.Solvers;

public sealed record ConjugateGradientOptions
{
    /// <summary>Stop when ‖r‖ ≤ RelativeTolerance · ‖b‖.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;
    public int MaxIterations { get; init; } = 10_000;
}

public sealed record ConjugateGradientResult(int Iterations, double RelativeResidual, bool Converged);

/// <summary>
/// Preconditioned conjugate gradients for a symmetric positive definite operator given as a product. One solver
/// for every linear system of the engine (matting, foreground estimation). Everything in double: the matting Laplacian with ε = 1e-7 is too ill-conditioned for float (CG broke down on it).
/// </summary>
public static class ConjugateGradient
{
    /// <param name="apply">y = A x.</param>
    /// <param name="precondition">z = M⁻¹ r (e.g. Jacobi: r divided by A's diagonal).</param>
    /// <param name="x">The initial guess, overwritten with the solution.</param>
    public static ConjugateGradientResult Solve(Action<double[], double[]> apply, Action<double[], double[]> precondition,
        double[] b, double[] x, ConjugateGradientOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ConjugateGradientOptions();
        int n = b.Length;
        if (x.Length != n) throw new ArgumentException("x and b must have the same length.");
        var r = new double[n];
        var z = new double[n];
        var p = new double[n];
        var q = new double[n];
        apply(x, q);
        for (int i = 0; i < n; i++) r[i] = b[i] - q[i];
        double bNorm = Math.Sqrt(Dot(b, b));
        if (bNorm == 0) bNorm = 1;
        double target = options.RelativeTolerance * bNorm;
        double residual = Math.Sqrt(Dot(r, r));
        if (residual <= target) return new ConjugateGradientResult(0, residual / bNorm, true);
        precondition(r, z);
        z.AsSpan().CopyTo(p);
        double rz = Dot(r, z);
        double initial = residual;
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            if ((iteration & 15) == 0) cancellationToken.ThrowIfCancellationRequested();
            apply(p, q);
            double pq = Dot(p, q);
            if (!(pq > 0)) return new ConjugateGradientResult(iteration, residual / bNorm, false); // not SPD / breakdown
            double alpha = (rz / pq);
            ParallelVectors.Step(x, r, p, q, alpha);
            residual = Math.Sqrt(Dot(r, r));
            if (progress is not null && (iteration & 15) == 0)
                progress.Report(Math.Clamp(Math.Log(initial / residual) / Math.Log(initial / target), 0, 1));
            if (residual <= target) return new ConjugateGradientResult(iteration, residual / bNorm, true);
            precondition(r, z);
            double rzNext = Dot(r, z);
            double beta = (rzNext / rz);
            rz = rzNext;
            ParallelVectors.Direction(p, z, beta);
        }
        return new ConjugateGradientResult(options.MaxIterations, residual / bNorm, false);
    }

    private static double Dot(double[] a, double[] b) => ParallelVectors.Dot(a, b);
}
