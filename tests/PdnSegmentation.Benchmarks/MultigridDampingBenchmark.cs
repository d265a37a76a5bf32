using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Solvers;
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
        var names = Directory.GetFiles(Path.Combine(root, "masks"), "*.png").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(root))}, {args[2]} trimaps, enlarged to {megapixels.ToString(CultureInfo.InvariantCulture)} MP, {names.Length} photos:");
        Console.WriteLine();
        Console.WriteLine("| photo | unknowns | undamped: iterations / s / indefinite | damped: iterations / s / indefinite |");
        Console.WriteLine("|---|---:|---:|---:|");
        var total = new (int Iterations, double Seconds, int IndefinitePhotos)[2];
        foreach (string name in names!)
        {
            var (image, trimap) = Load(root, name!, lasso, megapixels);
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

    /// <summary>The photo and its trimap, both enlarged (the trimap by nearest neighbour, as the lemur's in <c>bench matte-scale</c>).</summary>
    private static (ColorImage Image, Trimap Trimap) Load(string root, string name, bool lasso, double megapixels)
    {
        string imagePath = Directory.GetFiles(Path.Combine(root, "images"), name + ".*").Single();
        using var photo = Cv2.ImRead(imagePath, ImreadModes.Color);
        int width = photo.Width, height = photo.Height;
        var source = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var p = photo.At<Vec3b>(y, x);
                source[x, y] = Bgra32.FromRgb(p.Item2, p.Item1, p.Item0);
            }
        var grey = new byte[width * height];
        if (lasso)
        {
            using var painted = Cv2.ImRead(Path.Combine(root, "trimaps_lasso", name + ".png"), ImreadModes.Grayscale);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    byte v = painted.At<byte>(y, x);
                    grey[y * width + x] = v == 64 ? (byte)0 : v; // 64: background inside the lasso
                }
        }
        else
        {
            using var maskImage = Cv2.ImRead(Path.Combine(root, "masks", name + ".png"), ImreadModes.Grayscale);
            var mask = new Mask(width, height);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) mask[x, y] = maskImage.At<byte>(y, x) >= 128;
            var band = TrimapBuilder.FromMask(mask).Labels;
            for (int i = 0; i < grey.Length; i++)
                grey[i] = band[i] == (byte)TrimapLabel.Background ? (byte)0 : band[i] == (byte)TrimapLabel.Foreground ? (byte)255 : (byte)128;
        }
        double factor = Math.Sqrt(megapixels * 1e6 / source.PixelCount);
        int w = (int)Math.Round(width * factor), h = (int)Math.Round(height * factor);
        var labels = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                labels[y * w + x] = grey[Math.Min(height - 1, (int)(y / factor)) * width + Math.Min(width - 1, (int)(x / factor))];
        return (PixelMaps.Resize(source, w, h), Trimap.FromGray(w, h, labels));
    }
}
