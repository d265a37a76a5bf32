using System.CommandLine;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary><c>pdnseg bench ...</c>: accuracy, speed and memory against a peer measured in the same run.</summary>
public static class BenchCommand
{
    public static Command Create(CommandContext context) =>
        new("bench", "Benchmarks: accuracy, time and memory, each against a peer measured in the same run.")
        {
            GrabCutBenchmark.Create(context),
            BoxesBenchmark.Create(context),
            GrabCutScaleBenchmark.Create(context),
            GrabCutScaleBenchmark.CreateChildRun(context),
            MatteBenchmark.Create(context),
            MatteScaleBenchmark.Create(context),
            LazySnapBenchmark.Create(context),
            SubjectBenchmark.Create(context),
            SamBenchmark.Create(context),
            ClickBenchmark.Create(context),
            ProcessBenchmark.Create(context),
            BatchBenchmark.Create(context),
            ScissorsBenchmark.Create(context),
        };

    /// <summary><c>--limit N</c>: only a dataset's first N images (a quick run), the same for every dataset benchmark.</summary>
    internal static Option<int?> LimitOption() => new("--limit") { Description = "Only the first N images." };
}
