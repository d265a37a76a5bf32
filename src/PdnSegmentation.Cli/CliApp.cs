using System.CommandLine;
using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Commands;

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
            var root = new RootCommand("pdnseg — interactive segmentation and alpha matting (GrabCut, matting, Lazy Snapping, MRF, benchmarks).")
            {
                CutCommand.Create(context),
                MatteCommand.Create(context),
                LazySnapCommand.Create(context),
                MrfCommand.Create(context),
                SubjectCommand.Create(context),
                SamCommand.Create(context),
                SelectCommand.Create(context),
                ModelsCommand.Create(context),
                BenchCommand.Create(context),
            };
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) stderr.WriteLine($"pdnseg: {error.Message}");
                stderr.WriteLine("Run 'pdnseg --help' for usage.");
                return ExitCodes.Usage;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e) { return Fail(stderr, e.Message, ExitCodes.Usage); }
        catch (InputFileException e) { return Fail(stderr, e.Message, ExitCodes.BadInput); }
        catch (SegmentationInputException e) { return Fail(stderr, e.Message, ExitCodes.BadInput); }
        catch (OperationCanceledException) { return Fail(stderr, "Cancelled; no output was written.", ExitCodes.Cancelled); }
        catch (IOException e) { return Fail(stderr, $"Could not write the output: {e.Message}", ExitCodes.BadInput); }
        catch (UnauthorizedAccessException e) { return Fail(stderr, $"Could not write the output: {e.Message}", ExitCodes.BadInput); }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Fail(TextWriter stderr, string message, int code)
    {
        stderr.WriteLine($"pdnseg: {message}");
        return code;
    }
}

/// <summary>What every command gets from the host: its streams and the Ctrl+C token.</summary>
public sealed record CommandContext(TextWriter Out, TextWriter Error, CancellationToken Cancellation);
