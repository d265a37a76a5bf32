using PdnSegmentation.Cli;

namespace PdnSegmentation.Deep.Tests;

/// <summary>Runs a pdnseg command line in-process and captures its streams.</summary>
internal static class Pdnseg
{
    public static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
