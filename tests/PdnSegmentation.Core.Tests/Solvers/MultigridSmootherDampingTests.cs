using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Solvers;
using PdnSegmentation.TestSupport;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Tests.Solvers;

public class MultigridSmootherDampingTests
{
    /// <summary>The bundled lemur sample (samples/lemur, part of the repository) and its trimap, enlarged to 1 MP.</summary>
    private static (ColorImage Image, Trimap Trimap) LemurAtOneMegapixel()
    {
        string folder = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur");
        var source = PhotoFiles.ReadColor(Path.Combine(folder, "lemur.png"));
        var (paintedWidth, _, painted) = PhotoFiles.ReadGray(Path.Combine(folder, "lemur_trimap.png"));
        return TrimapScaling.Resample(source, 1, (x, y) => painted[y * paintedWidth + x]);
    }

    [Fact]
    public void SmoothersThatOvershootAreDampedSoThatTheCycleStaysPositiveDefinite()
    {
        // The zero fill-in factors of the lemur's matting Laplacian overshoot A on some levels (λ_max(S A) far above 2),
        // which makes the symmetric cycle indefinite: CG then meets residuals with rᵀ M⁻¹ r < 0 and converges erratically.
        // Damped, every residual CG meets sees a positive definite cycle, and CG needs fewer iterations.
        var (image, trimap) = LemurAtOneMegapixel();
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        var laplacian = new MattingLaplacian(image, indices);
        var rhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
        for (int u = 0; u < rhs.Length; u++) rhs[u] = -rhs[u];
        var (rowStart, columns, lower) = laplacian.LowerTriangle();
        var candidates = ClosedFormMatting.NearNullSpace(image, indices);
        var gridX = indices.Select(i => i % image.Width).ToArray();
        var gridY = indices.Select(i => i / image.Width).ToArray();
        var matrix = new SymmetricSparseMatrix(rowStart, columns, lower);
        var undamped = new AggregationMultigrid(rowStart, columns, lower, gridX, gridY, matrix, 2, 0, candidates, ClosedFormMatting.NearNullSpaceSize,
            CancellationToken.None, dampSmoothers: false);
        var damped = new AggregationMultigrid(rowStart, columns, lower, gridX, gridY, matrix, candidates: candidates,
            candidateCount: ClosedFormMatting.NearNullSpaceSize);

        Assert.Contains(undamped.SmoothingEigenvalues(10), lambda => lambda > 2.5);
        // The same estimate as the damping used (the factor is rounded to single precision when scaled).
        Assert.All(damped.SmoothingEigenvalues(10), lambda => Assert.True(lambda <= 2 / 1.05 * (1 + 1e-5), $"λ_max(S A) ≈ {lambda:F3} after damping"));

        (int Iterations, int Indefinite) Run(AggregationMultigrid multigrid)
        {
            int indefinite = 0;
            var result = ConjugateGradient.Solve(matrix.Multiply, (r, z) =>
            {
                multigrid.Solve(r, z);
                double rz = 0;
                for (int i = 0; i < r.Length; i++) rz += r[i] * z[i];
                if (!(rz > 0)) indefinite++;
            }, rhs, new double[rhs.Length]);
            Assert.True(result.Converged);
            return (result.Iterations, indefinite);
        }
        var before = Run(undamped);
        var after = Run(damped);
        Assert.True(before.Indefinite > 0, "the undamped cycle should meet an indefinite direction on this photo");
        Assert.Equal(0, after.Indefinite);
        Assert.True(after.Iterations * 4 <= before.Iterations * 3, $"damped {after.Iterations} vs undamped {before.Iterations} iterations");
    }
}
