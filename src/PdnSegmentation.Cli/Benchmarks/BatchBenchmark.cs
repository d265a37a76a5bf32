using System.CommandLine;
using PdnSegmentation.Cli.Files;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// <c>pdnseg bench batch</c>: a folder of a segmentation set's images with one broken file among them, cut (or
/// subject-selected) by one <c>pdnseg</c> process per image and by one batch process; the batch's wall time against
/// the sum of the single processes', and every output compared byte for byte.
/// </summary>
public static class BatchBenchmark
{
    public static Command Create(CommandContext context)
    {
        var dataset = new Option<string>("--dataset") { Description = "A segmentation set: images/ and boxes.csv (the GrabCut or Berkeley set).", Required = true };
        var which = new Option<string>("--command") { Description = "cut (GrabCut from boxes.csv) or subject (the bundled u2netp with its graph-cut refinement).", DefaultValueFactory = _ => "cut" };
        which.AcceptOnlyFromAmong("cut", "subject");
        var limit = new Option<int?>("--limit") { Description = "Only the first N images." };
        var command = new Command("batch", "One pdnseg process per image against one batch process over the folder (same outputs, byte for byte).") { dataset, which, limit };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(dataset), parse.GetRequiredValue(which), parse.GetValue(limit)));
        return command;
    }

    private static int Run(CommandContext context, string folder, string command, int? limit)
    {
        var samples = SegmentationDataset.Open(folder).Samples.Take(limit ?? int.MaxValue).ToList();
        string work = Directory.CreateTempSubdirectory("pdnseg-bench-batch-").FullName;
        try
        {
            string photos = Directory.CreateDirectory(Path.Combine(work, "photos")).FullName;
            string single = Directory.CreateDirectory(Path.Combine(work, "single")).FullName;
            string batch = Directory.CreateDirectory(Path.Combine(work, "batch")).FullName;
            string rects = Path.Combine(work, "boxes.csv");
            foreach (var s in samples) File.Copy(s.ImagePath, Path.Combine(photos, Path.GetFileName(s.ImagePath)));
            // The broken file: the first image cut off halfway, as an interrupted download leaves it.
            byte[] first = File.ReadAllBytes(samples[0].ImagePath);
            string brokenName = "broken" + Path.GetExtension(samples[0].ImagePath);
            File.WriteAllBytes(Path.Combine(photos, brokenName), first[..(first.Length / 2)]);
            File.WriteAllLines(rects, samples.Select(s => $"{s.Name},{s.Box.X},{s.Box.Y},{s.Box.Width},{s.Box.Height}")
                .Prepend("name,x,y,w,h").Append($"broken,{samples[0].Box.X},{samples[0].Box.Y},{samples[0].Box.Width},{samples[0].Box.Height}"));

            string[] Arguments(string image, string cutOut, string mask, string? rect) => command == "cut"
                ? ["cut", image, "--rect", rect!, "-o", cutOut, "--mask-out", mask]
                : ["subject", image, "--device", "cpu", "-o", cutOut, "--mask-out", mask];

            var output = context.Out;
            output.WriteLine($"`{ChildProcess.SelfName} {command}` on {samples.Count} images of {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))} " +
                             $"plus one broken file, {Environment.ProcessorCount} cores: one process per image, then one batch process.");
            var warm = samples[0];
            ChildProcess.RunSelf(Arguments(warm.ImagePath, Path.Combine(work, "warm.png"), Path.Combine(work, "warm-mask.png"), Rect(warm))); // disk cache

            double singleSeconds = 0;
            foreach (var s in samples)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                string image = Path.Combine(photos, Path.GetFileName(s.ImagePath));
                var run = ChildProcess.RunSelf(Arguments(image, Path.Combine(single, s.Name + ".png"), Path.Combine(single, s.Name + "-mask.png"), Rect(s)));
                if (run.ExitCode != 0) throw new InvalidOperationException($"pdnseg {command} {s.Name} failed: {run.Error}");
                singleSeconds += run.Seconds;
            }
            string[] batchArguments = command == "cut"
                ? ["cut", photos, "--rects", rects, "--out-dir", batch]
                : ["subject", photos, "--device", "cpu", "--out-dir", batch];
            var batchRun = ChildProcess.RunSelf(batchArguments);

            int identical = samples.Count(s => SameBytes(Path.Combine(single, s.Name + ".png"), Path.Combine(batch, s.Name + ".png")) &&
                                               SameBytes(Path.Combine(single, s.Name + "-mask.png"), Path.Combine(batch, s.Name + "-mask.png")));
            bool brokenNamed = batchRun.ExitCode == 1 && batchRun.Error.Split('\n').Any(l => l.Contains(brokenName) && l.Contains("failed:"));
            string summary = batchRun.Output.Split('\n').FirstOrDefault(l => l.Contains(" written, ")) ?? "(no summary line)";
            output.WriteLine();
            output.WriteLine("| images | s, sum of single processes | s, one batch process | ratio | outputs identical | broken file named, exit 1 |");
            output.WriteLine("|---:|---:|---:|---:|---:|---|");
            output.WriteLine($"| {samples.Count} | {singleSeconds:F1} | {batchRun.Seconds:F1} | {batchRun.Seconds / singleSeconds:F2} | {identical} / {samples.Count} | {(brokenNamed ? "yes" : "NO")} |");
            output.WriteLine();
            output.WriteLine($"Batch summary line: {summary.Trim()}");
            return identical == samples.Count && brokenNamed ? ExitCodes.Success : ExitCodes.BadInput;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string Rect(SegmentationSample s) => $"{s.Box.X},{s.Box.Y},{s.Box.Width},{s.Box.Height}";

    private static bool SameBytes(string a, string b) => File.Exists(a) && File.Exists(b) && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
}
