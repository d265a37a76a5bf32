using System.Globalization;
using PdnSegmentation.Cli.Files;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// PyMatting's <c>estimate_alpha_cf</c> run in the same benchmark run, with Debian's python3 (numpy, scipy, numba,
/// opencv; see ../shared/peers/README.md): one interpreter for a list of image/trimap pairs, numba's kernels compiled
/// on a small problem first (as PyMatting's recorded times are), then each solve call alone timed, the images read
/// before the clock starts.
/// </summary>
internal sealed class PyMattingPeer
{
    private const string Python = "/usr/bin/python3";

    // Each input line: image, trimap and where to write the alpha as raw float32 (empty: not written).
    private const string Harness = """
        import sys, time
        import numpy as np, cv2
        sys.path.insert(0, sys.argv[1])
        from pymatting import estimate_alpha_cf
        warm = np.full((48, 48), 0.5); warm[:, :6] = 0; warm[:, -6:] = 1
        estimate_alpha_cf(np.random.default_rng(0).random((48, 48, 3)), warm)
        for line in open(sys.argv[2]):
            image_path, trimap_path, alpha_path = line.rstrip('\n').split('\t')
            image = cv2.imread(image_path, cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float64) / 255
            trimap = cv2.imread(trimap_path, cv2.IMREAD_GRAYSCALE).astype(np.float64) / 255
            start = time.perf_counter()
            alpha = estimate_alpha_cf(image, trimap)
            print('time', time.perf_counter() - start, flush=True)
            if alpha_path:
                alpha.astype('<f4').tofile(alpha_path)
        """;

    private readonly string _source;

    private PyMattingPeer(string source) => _source = Path.GetFullPath(source);

    /// <summary>The peer, or null (with why in <paramref name="missing"/>) when 'none' or not installed.</summary>
    public static PyMattingPeer? Locate(string sourceFolder, out string missing)
    {
        missing = sourceFolder == "none" ? "--pymatting none" : $"no /usr/bin/python3 or no PyMatting in {sourceFolder} (see ../shared/peers/README.md)";
        return sourceFolder != "none" && File.Exists(Python) && Directory.Exists(Path.Combine(sourceFolder, "pymatting")) ? new PyMattingPeer(sourceFolder) : null;
    }

    public string Description => $"PyMatting estimate_alpha_cf ({_source}), each solve call timed after a warm-up";

    /// <summary>Solve seconds per pair, in order; where an alpha path is given, the alpha is written there (raw float32).</summary>
    public double[] Solve(IReadOnlyList<(string Image, string Trimap, string? AlphaOut)> pairs)
    {
        string stem = Path.Combine(Path.GetTempPath(), $"pdnseg-pymatting-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(stem + ".py", Harness);
            File.WriteAllLines(stem + ".txt", pairs.Select(p => $"{Path.GetFullPath(p.Image)}\t{Path.GetFullPath(p.Trimap)}\t{p.AlphaOut ?? ""}"));
            var run = ChildProcess.Run(Python, [stem + ".py", _source, stem + ".txt"]);
            if (run.ExitCode != 0) throw new InputFileException($"PyMatting failed (exit {run.ExitCode}): {run.Error.Trim()}");
            // PyMatting prints its own warnings on stdout (e.g. an incomplete Cholesky retried with a shift); the
            // times are the lines the harness marks.
            var times = run.Output.Split('\n').Where(l => l.StartsWith("time ", StringComparison.Ordinal))
                .Select(l => double.Parse(l.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            if (times.Length != pairs.Count) throw new InputFileException($"PyMatting reported {times.Length} times for {pairs.Count} images.");
            return times;
        }
        finally
        {
            File.Delete(stem + ".py");
            File.Delete(stem + ".txt");
        }
    }
}
