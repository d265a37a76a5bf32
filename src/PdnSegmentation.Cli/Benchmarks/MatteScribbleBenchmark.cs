using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Scribbles;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench matte-scale --scribbles</c>: Levin et al.'s own interface — a few object and background strokes,
/// everything else unknown — on a GrabCut-set photo with its published strokes (scribbles2) as the trimap, enlarged
/// to each size, solved by our closed-form matting and by PyMatting's <c>estimate_alpha_cf</c> on the same input in
/// the same run (Debian's python3 with numpy, scipy, numba and opencv; see ../shared/peers/README.md).
/// </summary>
internal static class MatteScribbleBenchmark
{
    // The peer harness: loads the same PNGs, compiles numba's kernels on a small problem first (as PyMatting's
    // recorded times do), then times estimate_alpha_cf alone and writes the alpha as raw float32.
    private const string PeerScript = """
        import sys, time
        import numpy as np, cv2
        sys.path.insert(0, sys.argv[1])
        from pymatting import estimate_alpha_cf
        image = cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float64) / 255
        trimap = cv2.imread(sys.argv[3], cv2.IMREAD_GRAYSCALE).astype(np.float64) / 255
        warm = np.full((48, 48), 0.5); warm[:, :6] = 0; warm[:, -6:] = 1
        estimate_alpha_cf(np.ascontiguousarray(image[:48, :48]), warm)
        start = time.perf_counter()
        alpha = estimate_alpha_cf(image, trimap)
        print(time.perf_counter() - start)
        alpha.astype('<f4').tofile(sys.argv[4])
        """;

    public static int Run(CommandContext context, string dataset, string? name, string sizes, string peerFolder, ClosedFormOptions options)
    {
        string scribbleFolder = Path.Combine(dataset, "scribbles2");
        if (!Directory.Exists(scribbleFolder)) throw new InputFileException($"'{dataset}' has no scribbles2/ folder: pass the GrabCut set with --dataset.");
        name ??= Directory.GetFiles(scribbleFolder, "*.png").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).First();
        var imagePath = Directory.GetFiles(Path.Combine(dataset, "images"), name + ".*").FirstOrDefault()
                        ?? throw new InputFileException($"No image named '{name}' in {Path.Combine(dataset, "images")}.");
        var source = ImageFiles.ReadColor(imagePath);
        var strokes = ScribbleMasks.FromColorImage(ImageFiles.ReadColor(Path.Combine(scribbleFolder, name + ".png"), "scribbles"),
            LazySnapBenchmark.ObjectStroke, LazySnapBenchmark.BackgroundStroke);
        ImageGuard.SameSize("scribbles", strokes.Foreground.Width, strokes.Foreground.Height, source.Width, source.Height);
        const string python = "/usr/bin/python3";
        bool peer = peerFolder != "none" && File.Exists(python) && Directory.Exists(Path.Combine(peerFolder, "pymatting"));
        var output = context.Out;
        output.WriteLine($"Closed-form matting from scribbles: {name} with scribbles2 as the trimap (object strokes white, background strokes black, " +
                         $"the rest unknown), enlarged; {Environment.ProcessorCount} cores. Peer: " +
                         (peer ? $"PyMatting estimate_alpha_cf ({Path.GetFullPath(peerFolder)}), solve call timed after a warm-up." : "not run (no /usr/bin/python3 or PyMatting; see ../shared/peers/README.md)."));
        output.WriteLine();
        output.WriteLine("| MP | size | unknown | multigrid levels | CG iterations | ours s | PyMatting s | ratio | mean abs difference /255 |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (double mp in MatteScaleBenchmark.ParseSizes(sizes))
        {
            var (image, trimap) = MatteScaleBenchmark.Enlarge(source, mp,
                (x, y) => strokes.Foreground[x, y] ? (byte)255 : strokes.Background[x, y] ? (byte)0 : (byte)128);
            int w = image.Width, h = image.Height;
            var labels = trimap.Labels.ToArray();
            var watch = Stopwatch.StartNew();
            var ours = ClosedFormMatting.Estimate(image, trimap, options, null, context.Cancellation);
            double seconds = watch.Elapsed.TotalSeconds;
            double unknown = (double)trimap.Count(TrimapLabel.Unknown) / (w * h);
            string peerSeconds = "–", ratio = "–", difference = "–";
            if (peer)
            {
                var (peerTime, peerAlpha) = RunPeer(python, peerFolder, image, w, h, labels);
                double sum = 0;
                var alpha = ours.Alpha.Values;
                for (int i = 0; i < alpha.Length; i++) sum += Math.Abs(alpha[i] - peerAlpha[i]);
                peerSeconds = peerTime.ToString("F1", CultureInfo.InvariantCulture);
                ratio = (seconds / peerTime).ToString("F2", CultureInfo.InvariantCulture);
                difference = (255 * sum / alpha.Length).ToString("F3", CultureInfo.InvariantCulture);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mp:G} | {w}×{h} | {unknown:P1} | {ours.Levels} | {ours.Solve.Iterations} | {seconds:F1} | {peerSeconds} | {ratio} | {difference} |"));
        }
        return ExitCodes.Success;
    }

    private static (double Seconds, float[] Alpha) RunPeer(string python, string peerFolder, ColorImage image, int w, int h, byte[] trimap)
    {
        string stem = Path.Combine(Path.GetTempPath(), $"pdnseg-matte-peer-{Environment.ProcessId}");
        string script = stem + ".py", imagePath = stem + "-image.png", trimapPath = stem + "-trimap.png", alphaPath = stem + "-alpha.f32";
        try
        {
            File.WriteAllText(script, PeerScript);
            File.WriteAllBytes(imagePath, ImageFiles.EncodeColor(image, imagePath));
            File.WriteAllBytes(trimapPath, ImageFiles.EncodeGray(w, h, trimap, trimapPath));
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, Path.GetFullPath(peerFolder), imagePath, trimapPath, alphaPath }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InputFileException($"PyMatting failed (exit {process.ExitCode}): {error.Result.Trim()}");
            var bytes = File.ReadAllBytes(alphaPath);
            if (bytes.Length != 4 * w * h) throw new InputFileException($"PyMatting wrote {bytes.Length} bytes of alpha, expected {4 * w * h}.");
            var alpha = new float[w * h];
            Buffer.BlockCopy(bytes, 0, alpha, 0, bytes.Length);
            // PyMatting prints its own warnings (e.g. an incomplete Cholesky retried with a shift); the time is last.
            string last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            if (!double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                throw new InputFileException($"PyMatting printed no solve time: '{text.Trim()}'.");
            return (seconds, alpha);
        }
        finally
        {
            foreach (var file in new[] { script, imagePath, trimapPath, alphaPath }) File.Delete(file);
        }
    }
}
