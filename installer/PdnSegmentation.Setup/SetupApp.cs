using PdnSegmentation.Setup;

namespace PdnSegmentation.Setup.Console;

/// <summary>
/// <c>pdnseg-setup install|repair|uninstall|status [--paintdotnet DIR] [--payload DIR] [--models all|none|NAME,...] [--yes]</c>,
/// <c>pdnseg-setup make-payload DIR --version V</c> for the build, and with no arguments (a double-click) the guided
/// setup. Exit codes as pdnseg's: 0 done, 1 a problem the user can fix (named in the message) or a "no", 2 usage.
/// </summary>
public static class SetupApp
{
    private static readonly string[] Commands = ["install", "repair", "uninstall", "status", "make-payload"];

    public static int Run(string[] args, TextWriter output, TextWriter error, IMachine? machine = null, TextReader? input = null)
    {
        machine ??= new RealMachine();
        input ??= System.Console.In;
        if (args.Length == 0) return GuidedSetup.Run(output, error, input, machine, DefaultPayload);
        try
        {
            if (!Commands.Contains(args[0])) return Usage(error);
            string command = args[0];
            string? Option(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
            bool yes = args.Contains("--yes");
            if (command == "make-payload")
            {
                if (args.Length < 2 || Option("--version") is not { } version) return Usage(error);
                var made = PayloadManifest.Create(args[1], version);
                made.Save(args[1]);
                output.WriteLine($"wrote {Path.Combine(args[1], PayloadManifest.FileName)}: {made.Files.Count} files, models {Describe(made.Models)}");
                return 0;
            }
            var installs = new PaintDotNetLocator(machine).Find(Option("--paintdotnet"));
            if (installs.Count == 0)
                throw new SetupException("Paint.NET was not found. Install Paint.NET 5.1 or newer, or name a portable copy with --paintdotnet DIR.");
            var target = installs[0];
            var installer = new PluginInstaller();
            switch (command)
            {
                case "status":
                    foreach (var install in installs) output.WriteLine($"{Describe(install)}: {Describe(installer.Status(install.EffectsFolder))}");
                    return 0;
                case "install":
                case "repair":
                {
                    string payload = Option("--payload") ?? DefaultPayload;
                    var manifest = PayloadManifest.Load(payload);
                    // Repair keeps the models that were chosen at install unless told otherwise.
                    var models = ParseModels(Option("--models"), manifest)
                                 ?? (command == "repair" ? installer.Status(target.EffectsFolder)?.Models : null);
                    string folder = PluginInstaller.PluginFolder(target.EffectsFolder);
                    if (!yes && !Confirm(output, input, $"{(command == "repair" ? "Repair" : "Install")} PdnSegmentation {manifest.PluginVersion} " +
                                                        $"(models: {Describe(models ?? manifest.Models)}) into {folder}?", defaultYes: false))
                        return 1;
                    Install(installer, payload, target, models, output);
                    return 0;
                }
                case "uninstall":
                    if (!yes && !Confirm(output, input, $"Remove PdnSegmentation from {PluginInstaller.PluginFolder(target.EffectsFolder)}?", defaultYes: false)) return 1;
                    installer.Uninstall(target.EffectsFolder);
                    output.WriteLine("PdnSegmentation was removed.");
                    return 0;
                default:
                    return Usage(error);
            }
        }
        catch (Exception e) when (Problem(e) is { } message)
        {
            error.WriteLine($"pdnseg-setup: {message}");
            return 1;
        }
    }

    /// <summary>The payload shipped beside the setup program (the layout the build step writes).</summary>
    internal static string DefaultPayload => Path.Combine(AppContext.BaseDirectory, "payload");

    /// <summary>The message for a failure the user can act on, or null for a bug (which should surface as one).</summary>
    internal static string? Problem(Exception e) => e switch
    {
        SetupException => e.Message,
        UnauthorizedAccessException => $"{e.Message} Run the setup as administrator for a classic (Program Files) install.",
        IOException when IsDiskFull(e) => $"The disk is full ({e.Message}). Free some space and try again; nothing was changed.",
        IOException => $"{e.Message} Run 'pdnseg-setup status' to see what is installed, then try again.",
        _ => null,
    };

    // ERROR_DISK_FULL (112) / ERROR_HANDLE_DISK_FULL (39) on Windows, ENOSPC (28) elsewhere.
    private static bool IsDiskFull(Exception e) => (e.HResult & 0xFFFF) is 112 or 39 || (!OperatingSystem.IsWindows() && e.HResult == 28);

    internal static void Install(PluginInstaller installer, string payload, PaintDotNetInstall target, IReadOnlyCollection<string>? models, TextWriter output)
    {
        var progress = new ConsoleProgress(output);
        installer.Install(payload, target.EffectsFolder, models, progress);
        progress.Finish();
        var status = installer.Status(target.EffectsFolder)!;
        output.WriteLine($"PdnSegmentation {status.Version} is installed in {status.Folder} (models: {Describe(status.Models)}). Restart Paint.NET to use it.");
    }

    /// <summary>--models all | none | NAME[,NAME...]; null when not given.</summary>
    private static IReadOnlyCollection<string>? ParseModels(string? value, PayloadManifest manifest) => value switch
    {
        null => null,
        "all" => manifest.Models,
        "none" => [],
        _ => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    internal static string Describe(IReadOnlyCollection<string> models) => models.Count == 0 ? "none" : string.Join(", ", models);

    internal static string Describe(PaintDotNetInstall install) =>
        $"Paint.NET {install.Version?.ToString() ?? "(Microsoft Store)"} {install.Kind.ToString().ToLowerInvariant()} at {install.InstallFolder}";

    internal static string Describe(InstallStatus? status) => status is null
        ? "PdnSegmentation not installed"
        : $"PdnSegmentation {status.Version} in {status.Folder}, models: {Describe(status.Models)}, " +
          (status.Intact ? "all files intact" : $"damaged: {string.Join(", ", status.Damaged.Concat(status.Missing))} (run repair)");

    /// <summary>Asks a yes/no question; no answer at all (input closed) is always "no", so nothing happens unasked.</summary>
    internal static bool Confirm(TextWriter output, TextReader input, string question, bool defaultYes)
    {
        output.Write(question + (defaultYes ? " [Y/n] " : " [y/N] "));
        string? answer = input.ReadLine()?.Trim();
        output.WriteLine();
        if (answer is null) return false;
        return answer.Length == 0 ? defaultYes : answer.StartsWith('y') || answer.StartsWith('Y');
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: pdnseg-setup install|repair|uninstall|status [--paintdotnet DIR] [--payload DIR] [--models all|none|NAME,...] [--yes]");
        error.WriteLine("       pdnseg-setup make-payload DIR --version V");
        error.WriteLine("       pdnseg-setup            (no arguments: guided setup, as when double-clicked)");
        return 2;
    }
}

/// <summary>Prints each install stage once and its percentage each time it passes a tenth: "copying: 12% 25% … 100%".</summary>
internal sealed class ConsoleProgress(TextWriter output) : IProgress<InstallProgress>
{
    private string? _stage;
    private int _tenths = -1;

    public void Report(InstallProgress value)
    {
        if (value.Stage != _stage)
        {
            if (_stage is not null) output.WriteLine();
            output.Write($"  {value.Stage}:");
            _stage = value.Stage;
            _tenths = -1;
        }
        int tenths = value.Total == 0 ? 10 : value.Done * 10 / value.Total;
        if (tenths == _tenths) return;
        _tenths = tenths;
        output.Write($" {(value.Total == 0 ? 100 : value.Done * 100 / value.Total)}%");
    }

    public void Finish()
    {
        if (_stage is not null) output.WriteLine();
        _stage = null;
    }
}
