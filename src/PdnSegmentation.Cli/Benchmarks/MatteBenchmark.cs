using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench matte --dataset DIR</c>: each matting method on the alphamatting.com layout (images/, alpha/,
/// trimap1/, trimap2/) against its own reference implementation's recorded results (alphas and solve times):
/// PyMatting's closed-form (peer-pymatting-cf/) and random walk (peer-pymatting-rw/), OpenCV's information flow
/// (peer-opencv-infoflow/). Methods without a reference
/// implementation here (Bayesian, Poisson) are shown beside PyMatting's closed-form.
/// </summary>
public static class MatteBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "Folder with images/, alpha/, trimap1/, trimap2/ and peer-pymatting-cf/.", Required = true };
        var trimaps = new Option<string>("--trimaps") { Description = "Trimap sets, comma-separated.", DefaultValueFactory = _ => "trimap1,trimap2" };
        var methods = new Option<string>("--methods") { Description = "Methods, comma-separated: closed-form, bayesian, random-walk, poisson, info-flow.", DefaultValueFactory = _ => "closed-form,bayesian" };
        var limit = BenchCommand.LimitOption();
        var command = new Command("matte", "Matting accuracy (SAD, MSE, gradient, connectivity) and time of each method against its reference implementation's recorded results.")
        {
            dataset, trimaps, methods, limit,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetRequiredValue(trimaps), parse.GetRequiredValue(methods), parse.GetValue(limit)));
        return command;
    }

    private sealed record Row(string Name, MattingScore Ours, MattingScore? Peer, double OursSeconds, double? PeerSeconds);

    private static int Run(CommandContext context, string folder, string trimapSets, string methodNames, int? limit)
    {
        var methods = methodNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => (Name: m, Method: Commands.MatteCommand.ParseMethod(m))).ToList();
        string images = Path.Combine(folder, "images");
        if (!Directory.Exists(images)) throw new InputFileException($"'{folder}' has no images/ folder; is it a matting dataset?");
        var names = Directory.GetFiles(images, "*.png").Select(p => Path.GetFileNameWithoutExtension(p)!).OrderBy(n => n, StringComparer.Ordinal).Take(limit ?? int.MaxValue).ToList();
        var output = context.Out;
        output.WriteLine($"Matting on {Path.GetFullPath(folder)}: {names.Count} images, default options, {Environment.ProcessorCount} cores; " +
                         "peers: each method's reference implementation, results recorded on the same kind of machine (its solve time only).");
        output.WriteLine("Errors over each trimap's unknown pixels; time = our alpha estimation call alone, as PyMatting's.");
        var warmed = new HashSet<MattingMethod>();
        foreach (var (methodName, method) in methods)
        foreach (string set in trimapSets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var rows = new List<Row>();
            var options = new RefineMatteOptions { Method = method };
            var (peerFolder, peerName) = PeerOf(method);
            var peerTimes = ReadPeerTimes(Path.Combine(folder, peerFolder, "times.csv"));
            output.WriteLine();
            output.WriteLine($"#### {methodName}, {set} (peer: {peerName})");
            output.WriteLine();
            output.WriteLine("| image | unknown px | SAD ours | SAD peer | MSE ours | gradient ours | connectivity ours | s ours | s peer | time ratio |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var name in names)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var image = ImageFiles.ReadColor(Path.Combine(images, name + ".png"));
                var trimap = ReadTrimap(Path.Combine(folder, set, name + ".png"), image);
                var truth = ReadAlpha(Path.Combine(folder, "alpha", name + ".png"), image);
                if (warmed.Add(method)) RefineMatte.EstimateAlpha(image, trimap, options); // JIT outside the timings
                var watch = Stopwatch.StartNew();
                var alpha = RefineMatte.EstimateAlpha(image, trimap, options, null, context.Cancellation);
                double seconds = watch.Elapsed.TotalSeconds;
                var ours = MattingScore.Compute(alpha.Values, truth, trimap);
                string peerPath = Path.Combine(folder, peerFolder, set, name + ".png");
                MattingScore? peer = File.Exists(peerPath) ? MattingScore.Compute(ReadAlpha(peerPath, image), truth, trimap) : null;
                double? peerSeconds = peerTimes.TryGetValue((name, set), out double t) ? t : null;
                var row = new Row(name, ours, peer, seconds, peerSeconds);
                rows.Add(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {ours.Pixels} | {ours.Sad:F2} | {(peer is { } p ? p.Sad.ToString("F2", CultureInfo.InvariantCulture) : "—")} | {ours.Mse:F4} | {ours.Gradient:F2} | {ours.Connectivity:F2} | " +
                    $"{seconds:F2} | {(peerSeconds is { } ps ? ps.ToString("F2", CultureInfo.InvariantCulture) : "—")} | {(peerSeconds is { } q ? (seconds / q).ToString("F2", CultureInfo.InvariantCulture) : "—")} |"));
            }
            var withPeer = rows.Where(r => r.Peer is not null && r.PeerSeconds is not null).ToList();
            output.WriteLine();
            output.WriteLine($"| summary | ours | {peerName} |");
            output.WriteLine("|---|---:|---:|");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean SAD ({withPeer.Count} images) | {withPeer.Average(r => r.Ours.Sad):F2} | {withPeer.Average(r => r.Peer!.Value.Sad):F2} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean MSE | {withPeer.Average(r => r.Ours.Mse):F4} | {withPeer.Average(r => r.Peer!.Value.Mse):F4} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean gradient error | {withPeer.Average(r => r.Ours.Gradient):F2} | {withPeer.Average(r => r.Peer!.Value.Gradient):F2} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| mean connectivity error | {withPeer.Average(r => r.Ours.Connectivity):F2} | {withPeer.Average(r => r.Peer!.Value.Connectivity):F2} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median time (s) | {Stats.Median(withPeer.Select(r => r.OursSeconds)):F2} | {Stats.Median(withPeer.Select(r => r.PeerSeconds!.Value)):F2} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| total time (s) | {withPeer.Sum(r => r.OursSeconds):F1} | {withPeer.Sum(r => r.PeerSeconds!.Value):F1} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| time ratio ours / peer: of medians | {Stats.Median(withPeer.Select(r => r.OursSeconds)) / Stats.Median(withPeer.Select(r => r.PeerSeconds!.Value)):F2} | |"));
        }
        return ExitCodes.Success;
    }

    /// <summary>The recorded peer of a method: its reference implementation where one is recorded, else PyMatting's closed-form.</summary>
    private static (string Folder, string Name) PeerOf(MattingMethod method) => method switch
    {
        MattingMethod.RandomWalk => ("peer-pymatting-rw", "PyMatting estimate_alpha_rw"),
        MattingMethod.InformationFlow => ("peer-opencv-infoflow", "OpenCV alphamat infoFlow"),
        MattingMethod.ClosedForm => ("peer-pymatting-cf", "PyMatting estimate_alpha_cf"),
        _ => ("peer-pymatting-cf", "PyMatting estimate_alpha_cf (no reference implementation of this method here)"),
    };

    /// <summary>A dataset trimap, checked to be the image's size.</summary>
    internal static Trimap ReadTrimap(string path, ColorImage image)
    {
        var (w, h, grey) = ImageFiles.ReadGray(path, "trimap");
        ImageGuard.SameSize($"trimap '{Path.GetFileName(path)}'", w, h, image.Width, image.Height);
        return Trimap.FromGray(w, h, grey);
    }

    /// <summary>A ground-truth (or peer) alpha as 0..1 floats, checked to be the image's size.</summary>
    internal static float[] ReadAlpha(string path, ColorImage image)
    {
        var (w, h, grey) = ImageFiles.ReadGray(path, "alpha");
        ImageGuard.SameSize($"alpha '{Path.GetFileName(path)}'", w, h, image.Width, image.Height);
        return grey.Select(v => v / 255f).ToArray();
    }

    private static Dictionary<(string, string), double> ReadPeerTimes(string path)
    {
        var times = new Dictionary<(string, string), double>();
        if (!File.Exists(path)) return times;
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split(',');
            if (f.Length >= 3 && double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double t)) times[(f[0], f[1])] = t;
        }
        return times;
    }
}
