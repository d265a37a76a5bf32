using System.Diagnostics;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>Programs the benchmarks start: peers (python), and pdnseg itself for whole-process and memory runs.</summary>
internal static class ChildProcess
{
    /// <param name="Seconds">Wall time from start to exit.</param>
    public sealed record Outcome(int ExitCode, string Output, string Error, double Seconds);

    /// <summary>Runs the program to its end, capturing both streams.</summary>
    public static Outcome Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double seconds = watch.Elapsed.TotalSeconds;
        return new Outcome(process.ExitCode, output, error.Result, seconds);
    }

    /// <summary>Runs this program again (the apphost itself, or "dotnet pdnseg.dll").</summary>
    public static Outcome RunSelf(IEnumerable<string> arguments)
    {
        string process = Environment.ProcessPath!;
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return Run(process, viaDotnet ? arguments.Prepend(Path.Combine(AppContext.BaseDirectory, "pdnseg.dll")) : arguments);
    }

    /// <summary>How this program is named in a benchmark's header line.</summary>
    public static string SelfName =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? "dotnet pdnseg.dll" : "pdnseg";
}
