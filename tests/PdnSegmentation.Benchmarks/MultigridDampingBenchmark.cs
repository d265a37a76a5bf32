using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Solvers;
using PdnSegmentation.TestSupport;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/PdnSegmentation.Benchmarks -- multigrid-damping DATASET lasso|band [megapixels]</c>:
/// the closed-form system of every photo of a segmentation set (images/, masks/, and for <c>lasso</c> trimaps_lasso/:
/// 0 and 64 background, 255 object, the rest unknown; <c>band</c>: the band trimap Smart Cut's refined edge builds
/// around the true mask), enlarged to the given size (default 1 MP, as a camera photo's trimap would be), solved by CG
/// with the multigrid whose smoothers are left as factored and with the damped ones: iterations, seconds (set-up
/// included) and how many CG residuals met an indefinite cycle (rᵀ M⁻¹ r ≤ 0).
/// </summary>
public static class MultigridDampingBenchmark
{
    public static void Run(string[] args)
    {
        if (args.Length < 3 || args[2] is not ("lasso" or "band"))
        {
            Console.Error.WriteLine("usage: multigrid-damping DATASET lasso|band [megapixels]");
            return;
        }
        string root = args[1];
        bool lasso = args[2] == "lasso";
        double megapixels = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var names = Directory.GetFiles(Path.Combine(root, "masks"), "*.png").Select(path => Path.GetFileNameWithoutExtension(path)).Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(root))}, {args[2]} trimaps, enlarged to {megapixels.ToString(CultureInfo.InvariantCulture)} MP, {names.Length} photos:");
        Console.WriteLine();
        Console.WriteLine("| photo | unknowns | undamped: iterations / s / indefinite | damped: iterations / s / indefinite |");
        Console.WriteLine("|---|---:|---:|---:|");
        var total = new (int Iterations, double Seconds, int IndefinitePhotos)[2];
        foreach (string name in names)
        {
            var (image, trimap) = Load(root, name, lasso, megapixels);
            var indices = UnknownRegionSolver.UnknownIndices(trimap);
            if (indices.Length == 0) continue;
            var laplacian = new MattingLaplacian(image, indices, 1e-7);
            var rhs = laplacian.MultiplyIndicator(trimap, TrimapLabel.Foreground);
            for (int u = 0; u < rhs.Length; u++) rhs[u] = -rhs[u];
            var (rowStart, columns, lower) = laplacian.LowerTriangle();
            laplacian = null;
            var candidates = ClosedFormMatting.NearNullSpace(image, indices);
            var gridX = indices.Select(i => i % image.Width).ToArray();
            var gridY = indices.Select(i => i / image.Width).ToArray();
            var matrix = new SymmetricSparseMatrix(rowStart, columns, lower);
            var row = new List<string>();
            foreach (bool damp in new[] { false, true })
            {
                var watch = Stopwatch.StartNew();
                var multigrid = new AggregationMultigrid(rowStart, columns, lower, gridX, gridY, matrix, 2, 0, candidates, ClosedFormMatting.NearNullSpaceSize,
                    CancellationToken.None, dampSmoothers: damp);
                int indefinite = 0;
                var result = ConjugateGradient.Solve(matrix.Multiply, (r, z) =>
                {
                    multigrid.Solve(r, z);
                    if (!(ParallelVectors.Dot(r, z) > 0)) indefinite++;
                }, rhs, new double[rhs.Length]);
                double seconds = watch.Elapsed.TotalSeconds;
                int k = damp ? 1 : 0;
                total[k] = (total[k].Iterations + result.Iterations, total[k].Seconds + seconds, total[k].IndefinitePhotos + (indefinite > 0 ? 1 : 0));
                row.Add(string.Create(CultureInfo.InvariantCulture, $"{result.Iterations}{(result.Converged ? "" : " (not converged)")} / {seconds:F2} / {indefinite}"));
            }
            Console.WriteLine($"| {name} | {indices.Length} | {row[0]} | {row[1]} |");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| **all** | | **{total[0].Iterations} / {total[0].Seconds:F1} / {total[0].IndefinitePhotos} photos** | **{total[1].Iterations} / {total[1].Seconds:F1} / {total[1].IndefinitePhotos} photos** |"));
    }

    /// <summary>The photo and its trimap, both enlarged (<see cref="TrimapScaling.Resample"/>, as <c>bench matte-scale</c> does).</summary>
    private static (ColorImage Image, Trimap Trimap) Load(string root, string name, bool lasso, double megapixels)
    {
        var photo = PhotoFiles.ReadColor(Directory.GetFiles(Path.Combine(root, "images"), name + ".*").Single());
        int width = photo.Width;
        byte[] grey;
        if (lasso)
        {
            (_, _, grey) = PhotoFiles.ReadGray(Path.Combine(root, "trimaps_lasso", name + ".png"));
            for (int i = 0; i < grey.Length; i++) if (grey[i] == 64) grey[i] = 0; // 64: background inside the lasso
        }
        else
        {
            var (_, _, truth) = PhotoFiles.ReadGray(Path.Combine(root, "masks", name + ".png"));
            var mask = new Mask(width, photo.Height);
            for (int i = 0; i < truth.Length; i++) mask[i % width, i / width] = truth[i] >= 128;
            var band = TrimapBuilder.FromMask(mask).Labels;
            grey = new byte[band.Length];
            for (int i = 0; i < grey.Length; i++)
                grey[i] = band[i] == (byte)TrimapLabel.Background ? (byte)0 : band[i] == (byte)TrimapLabel.Foreground ? (byte)255 : (byte)128;
        }
        return TrimapScaling.Resample(photo, megapixels, (x, y) => grey[y * width + x]);
    }
}
