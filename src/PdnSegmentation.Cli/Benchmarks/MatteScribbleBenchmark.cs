using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.Scribbles;
using PdnSegmentation.Trimaps;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench matte-scale --scribbles</c>: Levin et al.'s own interface — a few object and background strokes,
/// everything else unknown — on a GrabCut-set photo with its published strokes (scribbles2) as the trimap, enlarged
/// to each size, solved by our closed-form matting and by PyMatting's <c>estimate_alpha_cf</c> on the same input in
/// the same run (Debian's python3 with numpy, scipy, numba and opencv; see ../shared/peers/README.md).
/// </summary>
internal static class MatteScribbleBenchmark
{
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
        var peer = PyMattingPeer.Locate(peerFolder, out string missing);
        var output = context.Out;
        output.WriteLine($"Closed-form matting from scribbles: {name} with scribbles2 as the trimap (object strokes white, background strokes black, " +
                         $"the rest unknown), enlarged; {Environment.ProcessorCount} cores. Peer: " +
                         (peer is not null ? peer.Description + "." : $"not run ({missing})."));
        output.WriteLine();
        output.WriteLine("| MP | size | unknown | multigrid levels | CG iterations | ours s | PyMatting s | ratio | mean abs difference /255 |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (double mp in MatteScaleBenchmark.ParseSizes(sizes))
        {
            var (image, trimap) = TrimapScaling.Resample(source, mp,
                (x, y) => strokes.Foreground[x, y] ? (byte)255 : strokes.Background[x, y] ? (byte)0 : (byte)128);
            int w = image.Width, h = image.Height;
            var watch = Stopwatch.StartNew();
            var ours = ClosedFormMatting.Estimate(image, trimap, options, null, context.Cancellation);
            double seconds = watch.Elapsed.TotalSeconds;
            double unknown = (double)trimap.Count(TrimapLabel.Unknown) / (w * h);
            string peerSeconds = "–", ratio = "–", difference = "–";
            if (peer is not null)
            {
                var (peerTime, peerAlpha) = RunPeer(peer, image, trimap);
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

    /// <summary>PyMatting on the same pixels: the enlarged photo and trimap written as PNGs, its alpha read back.</summary>
    private static (double Seconds, float[] Alpha) RunPeer(PyMattingPeer peer, ColorImage image, Trimap trimap)
    {
        int w = image.Width, h = image.Height;
        string stem = Path.Combine(Path.GetTempPath(), $"pdnseg-matte-peer-{Environment.ProcessId}");
        string imagePath = stem + "-image.png", trimapPath = stem + "-trimap.png", alphaPath = stem + "-alpha.f32";
        try
        {
            File.WriteAllBytes(imagePath, ImageFiles.EncodeColor(image, imagePath));
            File.WriteAllBytes(trimapPath, ImageFiles.EncodeGray(w, h, trimap.Labels.ToArray(), trimapPath));
            double seconds = peer.Solve([(imagePath, trimapPath, alphaPath)])[0];
            var bytes = File.ReadAllBytes(alphaPath);
            if (bytes.Length != 4 * w * h) throw new InputFileException($"PyMatting wrote {bytes.Length} bytes of alpha, expected {4 * w * h}.");
            var alpha = new float[w * h];
            Buffer.BlockCopy(bytes, 0, alpha, 0, bytes.Length);
            return (seconds, alpha);
        }
        finally
        {
            foreach (var file in new[] { imagePath, trimapPath, alphaPath }) File.Delete(file);
        }
    }
}
