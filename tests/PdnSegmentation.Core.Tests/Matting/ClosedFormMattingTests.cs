using PdnSegmentation.Solvers;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests.Matting;

public class MattingLaplacianTests
{
    private static ColorImage RandomImage(int w, int h, int seed)
    {
        var random = new Random(seed);
        var image = new ColorImage(w, h);
        random.NextBytes(image.Data);
        return image;
    }

    /// <summary>L built entry by entry from the definition in Levin et al. (eq. 12), for a small image.</summary>
    private static double[,] DenseLaplacian(ColorImage image, double epsilon)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var L = new double[n, n];
        for (int ky = 1; ky < h - 1; ky++)
            for (int kx = 1; kx < w - 1; kx++)
            {
                var idx = new int[9];
                var c = new double[9, 3];
                int m = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++, m++)
                    {
                        idx[m] = (ky + dy) * w + kx + dx;
                        var p = image[kx + dx, ky + dy];
                        c[m, 0] = p.B / 255.0; c[m, 1] = p.G / 255.0; c[m, 2] = p.R / 255.0;
                    }
                var mu = new double[3];
                for (int j = 0; j < 9; j++) for (int a = 0; a < 3; a++) mu[a] += c[j, a] / 9;
                var cov = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 3);
                for (int j = 0; j < 9; j++) for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) cov[a, b] += (c[j, a] - mu[a]) * (c[j, b] - mu[b]) / 9;
                for (int a = 0; a < 3; a++) cov[a, a] += epsilon / 9;
                var inv = cov.Inverse();
                for (int i = 0; i < 9; i++)
                    for (int j = 0; j < 9; j++)
                    {
                        double q = 0;
                        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) q += (c[i, a] - mu[a]) * inv[a, b] * (c[j, b] - mu[b]);
                        L[idx[i], idx[j]] += (i == j ? 1 : 0) - (1 + q) / 9;
                    }
            }
        return L;
    }

    [Fact]
    public void MatrixFreeProductEqualsTheDefinition()
    {
        // ε large enough that float round-off in the window inverses stays far below the tolerance.
        var image = RandomImage(7, 6, 1);
        var laplacian = new MattingLaplacian(image, new PixelRect(0, 0, 7, 6), epsilon: 1e-2);
        var dense = DenseLaplacian(image, 1e-2);
        var random = new Random(2);
        var x = Enumerable.Range(0, 42).Select(_ => random.NextDouble()).ToArray();
        var y = new double[42];
        laplacian.Multiply(x, y);
        for (int i = 0; i < 42; i++)
        {
            double expected = 0;
            for (int j = 0; j < 42; j++) expected += dense[i, j] * x[j];
            Assert.Equal(expected, y[i], 1e-3);
        }
        var diagonal = new float[42];
        laplacian.Diagonal(diagonal);
        for (int i = 0; i < 42; i++) Assert.Equal(dense[i, i], diagonal[i], 1e-3);
    }

    [Fact]
    public void IsSymmetricPositiveSemiDefiniteWithConstantsInItsNullSpace()
    {
        var image = RandomImage(30, 25, 3);
        var laplacian = new MattingLaplacian(image, new PixelRect(0, 0, 30, 25), epsilon: 1e-4);
        int n = 30 * 25;
        var random = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            var u = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var lu = new double[n];
            var lv = new double[n];
            laplacian.Multiply(u, lu);
            laplacian.Multiply(v, lv);
            double vLu = 0, uLv = 0, uLu = 0, scale = 0;
            for (int i = 0; i < n; i++) { vLu += v[i] * lu[i]; uLv += u[i] * lv[i]; uLu += u[i] * lu[i]; scale += Math.Abs(u[i] * lu[i]); }
            Assert.Equal(vLu, uLv, 1e-3 * scale + 1e-6); // symmetric
            Assert.True(uLu >= -1e-4 * scale, $"uᵀLu = {uLu}"); // positive semi-definite
        }
        var ones = Enumerable.Repeat(1.0, n).ToArray();
        var l1 = new double[n];
        laplacian.Multiply(ones, l1);
        Assert.All(l1, value => Assert.True(Math.Abs(value) < 1e-3, $"(L·1)_i = {value}"));
    }
}

public class ClosedFormMattingTests
{
    [Fact]
    public void RecoversASyntheticBlend()
    {
        var (image, trimap, truth) = MattingScenes.SmoothBlend(120, 90);
        // Grow the unknown band so the solver has to find the flat parts too.
        var grown = MattingScenes.GrowUnknown(trimap, 4);
        var result = ClosedFormMatting.Estimate(image, grown, new ClosedFormOptions { Epsilon = 1e-7 });
        Assert.True(result.Solve.Converged, $"CG stopped at {result.Solve.RelativeResidual} after {result.Solve.Iterations}");
        double mse = 0;
        int count = 0;
        var alpha = result.Alpha.Values;
        for (int i = 0; i < truth.Length; i++)
        {
            if (grown.Labels[i] != (byte)TrimapLabel.Unknown) continue;
            mse += (alpha[i] - truth[i]) * (alpha[i] - truth[i]);
            count++;
        }
        mse /= count;
        Assert.True(mse < 1e-3, $"MSE {mse:E2}");
    }

    [Fact]
    public void TheMultigridSolveGivesTheMatteOfTheIncompleteCholeskySolve()
    {
        // A wide unknown band (40 px) over a 320 × 240 blend: tens of thousands of unknowns, several levels.
        var (image, trimap, _) = MattingScenes.SmoothBlend(320, 240);
        var wide = new Trimap(320, 240);
        for (int y = 0; y < 240; y++)
            for (int x = 0; x < 320; x++)
            {
                double edge = 160 + 6 * Math.Sin(y / 9.0);
                wide[x, y] = Math.Abs(x - edge) <= 40 ? TrimapLabel.Unknown : trimap[x, y];
            }
        var exact = new ConjugateGradientOptions { RelativeTolerance = 1e-9, MaxIterations = 20_000 };
        var multigrid = ClosedFormMatting.Estimate(image, wide, new ClosedFormOptions { Solver = exact, Preconditioner = MattingPreconditioner.Multigrid });
        var ic = ClosedFormMatting.Estimate(image, wide, new ClosedFormOptions { Solver = exact, Preconditioner = MattingPreconditioner.IncompleteCholesky });
        Assert.True(multigrid.Solve.Converged && ic.Solve.Converged);
        Assert.True(multigrid.Levels >= 3, $"{multigrid.Levels} levels");
        Assert.Equal(1, ic.Levels);
        Assert.True(multigrid.Solve.Iterations * 2 < ic.Solve.Iterations, $"multigrid {multigrid.Solve.Iterations} vs IC {ic.Solve.Iterations} iterations");
        var a = multigrid.Alpha.Values;
        var b = ic.Alpha.Values;
        float worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        Assert.True(worst < 1e-3f, $"largest difference {worst}");
    }

    [Fact]
    public void ColourCandidatesCutTheMultigridsIterationsOnATexturedPhoto()
    {
        // Textured object and background (per-pixel colour noise over stripes, so the matting Laplacian's low-energy
        // errors follow the colours, not the grid) blended along a wavy edge, with a 60 px unknown band.
        int w = 256, h = 256;
        var random = new Random(7);
        var image = new ColorImage(w, h);
        var trimap = new Trimap(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double edge = 128 + 20 * Math.Sin(y / 15.0);
                double a = Math.Clamp((x - edge) / 8.0 + 0.5, 0, 1);
                double stripe = 40 * Math.Sin((x + 2 * y) / 5.0);
                double fr = 180 + stripe + random.Next(-25, 26), fg = 90 + random.Next(-25, 26), fb = 60 - stripe / 2 + random.Next(-20, 21);
                double br = 50 + random.Next(-25, 26), bg = 120 - stripe + random.Next(-25, 26), bb = 200 + random.Next(-30, 31);
                image[x, y] = Bgra32.FromRgb((byte)Math.Clamp(a * fr + (1 - a) * br, 0, 255), (byte)Math.Clamp(a * fg + (1 - a) * bg, 0, 255),
                    (byte)Math.Clamp(a * fb + (1 - a) * bb, 0, 255));
                trimap[x, y] = Math.Abs(x - edge) <= 30 ? TrimapLabel.Unknown : x < edge ? TrimapLabel.Background : TrimapLabel.Foreground;
            }
        var indices = UnknownRegionSolver.UnknownIndices(trimap);
        var laplacian = new MattingLaplacian(image, indices);
        var rhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
        for (int u = 0; u < rhs.Length; u++) rhs[u] = -rhs[u];
        var (rowStart, columns, lower) = laplacian.LowerTriangle();
        var options = new UnknownRegionSolverOptions
        {
            Preconditioner = MattingPreconditioner.Multigrid, Solver = new ConjugateGradientOptions { RelativeTolerance = 1e-8, MaxIterations = 5_000 },
        };
        var constants = UnknownRegionSolver.Solve(trimap, indices, rowStart, columns, lower, rhs, options);
        var candidates = UnknownRegionSolver.Solve(trimap, indices, rowStart, columns, lower, rhs, options,
            candidates: ClosedFormMatting.NearNullSpace(image, indices), candidateCount: ClosedFormMatting.NearNullSpaceSize);
        Assert.True(constants.Solve.Converged && candidates.Solve.Converged);
        Assert.True(candidates.Levels >= 3, $"{candidates.Levels} levels");
        Assert.True(candidates.Solve.Iterations * 2 <= constants.Solve.Iterations,
            $"candidates {candidates.Solve.Iterations} vs constants {constants.Solve.Iterations} iterations");
        double worst = 0;
        for (int u = 0; u < indices.Length; u++) worst = Math.Max(worst, Math.Abs(candidates.Values[u] - constants.Values[u]));
        Assert.True(worst < 1e-3, $"largest difference {worst}");
    }

    [Fact]
    public void TheAutomaticPreconditionerIsMultigridForScribblesAndIncompleteCholeskyForANarrowBand()
    {
        var (image, band, truth) = MattingScenes.SmoothBlend(320, 240);
        var narrow = ClosedFormMatting.Estimate(image, band);
        Assert.Equal(1, narrow.Levels);

        // Levin's interface: one background and one object stroke, everything else unknown.
        var strokes = new Trimap(320, 240);
        for (int y = 60; y < 180; y++)
            for (int x = 0; x < 3; x++)
            {
                strokes[20 + x, y] = TrimapLabel.Background;
                strokes[297 + x, y] = TrimapLabel.Foreground;
            }
        var scribbled = ClosedFormMatting.Estimate(image, strokes);
        Assert.True(scribbled.Levels > 1, $"{scribbled.Levels} levels");
        Assert.True(scribbled.Solve.Converged);
        // The strokes alone recover the blend where the colour-line model holds: the flat sides and the ramp.
        double error = 0;
        var alpha = scribbled.Alpha.Values;
        for (int i = 0; i < truth.Length; i++) error += Math.Abs(alpha[i] - truth[i]);
        Assert.True(error / truth.Length < 0.05, $"mean absolute error {error / truth.Length:F3}");
    }

    [Fact]
    public void BadTrimapsAreRejected()
    {
        var (image, _, _) = MattingScenes.SmoothBlend(20, 10);
        var noForeground = new Trimap(20, 10, TrimapLabel.Background);
        noForeground[5, 5] = TrimapLabel.Unknown;
        Assert.Contains("no foreground", Assert.Throws<SegmentationInputException>(() => ClosedFormMatting.Estimate(image, noForeground)).Message);
        Assert.Throws<ImageSizeMismatchException>(() => ClosedFormMatting.Estimate(image, new Trimap(10, 10)));
    }
}

public class ForegroundEstimationTests
{
    [Fact]
    public void RecomposesTheImageAndRemovesTheOldBackgroundsColour()
    {
        // Blue object with a soft edge over a red background.
        int w = 80, h = 60;
        var image = new ColorImage(w, h);
        var alpha = new AlphaMatte(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float a = Math.Clamp((x - 30) / 20f, 0, 1);
                alpha[x, y] = a;
                // F = (B 220, G 80, R 30), Bg = (B 20, G 40, R 230)
                image[x, y] = new Bgra32((byte)Math.Round(a * 220 + (1 - a) * 20), (byte)Math.Round(a * 80 + (1 - a) * 40), (byte)Math.Round(a * 30 + (1 - a) * 230), 255);
            }
        var estimate = ForegroundEstimation.Estimate(image, alpha);
        double recomposition = 0, foregroundError = 0;
        int soft = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float a = alpha[x, y];
                var f = estimate.Foreground[x, y];
                var b = estimate.Background[x, y];
                var i = image[x, y];
                recomposition += Math.Abs(a * f.B + (1 - a) * b.B - i.B) + Math.Abs(a * f.G + (1 - a) * b.G - i.G) + Math.Abs(a * f.R + (1 - a) * b.R - i.R);
                Assert.Equal((byte)Math.Round(a * 255), f.A);
                if (a > 0.1f && a < 1)
                {
                    foregroundError += Math.Abs(f.B - 220) + Math.Abs(f.G - 80) + Math.Abs(f.R - 30);
                    soft++;
                }
            }
        Assert.True(recomposition / (3.0 * w * h) < 1.5, $"mean recomposition error {recomposition / (3.0 * w * h):F2} levels");
        // In the soft edge the estimated object colour is the object's, not the red it was mixed with.
        Assert.True(foregroundError / (3.0 * soft) < 6, $"mean foreground error {foregroundError / (3.0 * soft):F2} levels");
    }
}
