namespace PdnSegmentation.Solvers;

/// <summary>
/// In-place Cholesky solve of a 6×6 symmetric positive-definite system (upper triangle of a row-major matrix read).
/// Bayesian matting solves one per cluster pair and iteration for every unknown pixel; a general dense solver
/// (MathNet) would allocate per call and cost several times more for a system this small.
/// </summary>
public static class SymmetricSolve6
{
    /// <summary>Overwrites <paramref name="rhs"/> with the solution; <paramref name="m"/> is destroyed.</summary>
    public static void Solve(Span<double> m, Span<double> rhs)
    {
        const int n = 6;
        if (m.Length < n * n || rhs.Length < n) throw new ArgumentException("A 6×6 matrix and 6 values are needed.");
        // Factor: lower triangle L with m = L Lᵀ, stored in m's lower part (reading the upper part as input).
        for (int j = 0; j < n; j++)
        {
            double diag = m[j * n + j];
            for (int k = 0; k < j; k++) diag -= m[j * n + k] * m[j * n + k];
            if (!(diag > 0)) diag = 1e-300; // only round-off can get here for an SPD input; keep it finite
            double ljj = Math.Sqrt(diag);
            m[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                double v = m[j * n + i]; // upper-triangle input A[j, i] = A[i, j]
                for (int k = 0; k < j; k++) v -= m[i * n + k] * m[j * n + k];
                m[i * n + j] = v / ljj;
            }
        }
        for (int i = 0; i < n; i++)
        {
            double v = rhs[i];
            for (int k = 0; k < i; k++) v -= m[i * n + k] * rhs[k];
            rhs[i] = v / m[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double v = rhs[i];
            for (int k = i + 1; k < n; k++) v -= m[k * n + i] * rhs[k];
            rhs[i] = v / m[i * n + i];
        }
    }
}
