using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

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

    /// <summary>
    /// The largest eigenvalue of M⁻¹A (A and M symmetric positive definite) after <paramref name="steps"/> steps of
    /// preconditioned CG from <paramref name="start"/>: CG's step lengths α_j and ratios β_j are the Lanczos tridiagonal
    /// of M⁻¹A in A's inner product — diagonal 1/α_j + β_{j−1}/α_{j−1}, off-diagonal √β_j / α_j (Saad, "Iterative
    /// methods for sparse linear systems", 2nd ed., §6.7.3) — and its largest eigenvalue (a Ritz value) approaches
    /// λ_max from below, much faster than power steps of the same cost (one product and one preconditioner solve each).
    /// Exact once the steps span the space the start reaches.
    /// </summary>
    /// <param name="start">The start vector, overwritten (CG's residual).</param>
    /// <param name="p">Work vector (the search direction).</param>
    /// <param name="q">Work vector (A p, then M⁻¹ r); <paramref name="precondition"/> writes it from <paramref name="start"/>.</param>
    public static double LargestEigenvalue(Action<double[], double[]> apply, Action<double[], double[]> precondition,
        double[] start, double[] p, double[] q, int steps)
    {
        var r = start;
        precondition(r, q);
        double rz = Dot(r, q);
        if (!(rz > 0)) return 0;
        q.AsSpan().CopyTo(p);
        var diagonal = new List<double>(steps);
        var offDiagonal = new List<double>(steps);
        double previousAlpha = 0, previousBeta = 0;
        for (int step = 0; step < steps; step++)
        {
            apply(p, q);
            double pq = Dot(p, q);
            if (!(pq > 0)) break;
            double alpha = rz / pq;
            diagonal.Add(1 / alpha + (step > 0 ? previousBeta / previousAlpha : 0));
            if (step > 0) offDiagonal.Add(Math.Sqrt(previousBeta) / previousAlpha);
            ParallelVectors.SubtractScaled(r, q, alpha);
            precondition(r, q);
            double rzNext = Dot(r, q);
            if (!(rzNext > 0)) break; // the space is exhausted: the tridiagonal so far is exact
            double beta = rzNext / rz;
            ParallelVectors.Direction(p, q, beta);
            (rz, previousAlpha, previousBeta) = (rzNext, alpha, beta);
        }
        int k = diagonal.Count;
        if (k == 0) return 0;
        var tridiagonal = Matrix<double>.Build.Dense(k, k);
        for (int j = 0; j < k; j++) tridiagonal[j, j] = diagonal[j];
        for (int j = 0; j + 1 < k; j++) tridiagonal[j, j + 1] = tridiagonal[j + 1, j] = offDiagonal[j];
        return tridiagonal.Evd(Symmetricity.Symmetric).EigenValues.Max(e => e.Real);
    }

    private static double Dot(double[] a, double[] b) => ParallelVectors.Dot(a, b);
}
