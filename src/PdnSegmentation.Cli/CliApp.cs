using System.CommandLine;
using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Commands;
using PdnSegmentation.Cli.Files;

namespace PdnSegmentation.Cli;

/// <summary>Builds the command tree and maps failures to exit codes and one clear message on stderr.</summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancellation.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var context = new CommandContext(stdout, stderr, cancellation.Token);
            var maxMegapixels = new Option<double>("--max-megapixels")
            {
                Description = "Refuse images larger than this many megapixels, checked in the file's header before decoding (decompression bombs).",
                DefaultValueFactory = _ => ImageFiles.DefaultMaxPixels / 1e6,
                Recursive = true,
            };
            var root = new RootCommand("pdnseg — interactive segmentation and alpha matting (GrabCut, matting, Lazy Snapping, MRF, benchmarks).")
            {
                CutCommand.Create(context),
                MatteCommand.Create(context),
                LazySnapCommand.Create(context),
                MrfCommand.Create(context),
                SubjectCommand.Create(context),
                SamCommand.Create(context),
                SelectCommand.Create(context),
                ScissorsCommand.Create(context),
                ModelsCommand.Create(context),
                BenchCommand.Create(context),
            };
            root.Options.Add(maxMegapixels);
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) stderr.WriteLine($"pdnseg: {error.Message}");
                stderr.WriteLine("Run 'pdnseg --help' for usage.");
                return ExitCodes.Usage;
            }
            double megapixels = parsed.GetValue(maxMegapixels);
            if (!(megapixels > 0) || double.IsInfinity(megapixels)) throw new UsageException($"--max-megapixels must be a positive number (got {megapixels}).");
            context.MaxPixels = (long)Math.Min(megapixels * 1e6, long.MaxValue / 2);
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e) { return Fail(stderr, Describe(e), ExitCodes.Usage); }
        catch (OperationCanceledException) { return Fail(stderr, "Cancelled; no output was written.", ExitCodes.Cancelled); }
        catch (Exception e) when (e is InputFileException or SegmentationInputException or IOException or UnauthorizedAccessException)
        { return Fail(stderr, Describe(e), ExitCodes.BadInput); }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>One line for a failure, as the command's own failure would say it (used for one image of a batch).</summary>
    public static string Describe(Exception e) => e switch
    {
        UsageException or InputFileException or SegmentationInputException => e.Message,
        IOException or UnauthorizedAccessException => $"Could not write the output: {e.Message}",
        _ => $"internal error ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); please report it with the image",
    };

    private static int Fail(TextWriter stderr, string message, int code)
    {
        stderr.WriteLine($"pdnseg: {message}");
        return code;
    }
}

/// <summary>What every command gets from the host: its streams, the Ctrl+C token and the image size limit.</summary>
public sealed record CommandContext(TextWriter Out, TextWriter Error, CancellationToken Cancellation)
{
    /// <summary>Images with more pixels are refused from their header (<c>--max-megapixels</c>).</summary>
    public long MaxPixels { get; set; } = ImageFiles.DefaultMaxPixels;
}
