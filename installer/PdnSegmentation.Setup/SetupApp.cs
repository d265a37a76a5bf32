using PdnSegmentation.Setup;

namespace PdnSegmentation.Setup.Console;

/// <summary>
/// <c>pdnseg-setup install|repair|uninstall|status [--paintdotnet DIR] [--payload DIR] [--yes]</c>, and
/// <c>pdnseg-setup make-payload DIR --version V</c> for the build. Exit codes as pdnseg's: 0 done, 1 a problem the user
/// can fix (named in the message), 2 usage.
/// </summary>
public static class SetupApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error, IMachine? machine = null, TextReader? input = null)
    {
        try
        {
            if (args.Length == 0 || args[0] is not ("install" or "repair" or "uninstall" or "status" or "make-payload")) return Usage(error);
            string command = args[0];
            string? Option(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
            bool yes = args.Contains("--yes");
            if (command == "make-payload")
            {
                if (args.Length < 2 || Option("--version") is not { } version) return Usage(error);
                PayloadManifest.Create(args[1], version).Save(args[1]);
                output.WriteLine($"wrote {Path.Combine(args[1], PayloadManifest.FileName)}");
                return 0;
            }
            var locator = new PaintDotNetLocator(machine ?? new RealMachine());
            var installs = locator.Find(Option("--paintdotnet"));
            if (installs.Count == 0)
                throw new SetupException("Paint.NET was not found. Install Paint.NET 5.1 or newer, or name a portable copy with --paintdotnet DIR.");
            var target = installs[0];
            var installer = new PluginInstaller();
            switch (command)
            {
                case "status":
                    foreach (var install in installs)
                    {
                        var status = installer.Status(install.EffectsFolder);
                        string pdn = $"Paint.NET {install.Version?.ToString() ?? "(Store)"} {install.Kind} at {install.InstallFolder}";
                        if (status is null) output.WriteLine($"{pdn}: PdnSegmentation not installed");
                        else output.WriteLine($"{pdn}: PdnSegmentation {status.Version} in {status.Folder}, " +
                                              (status.Intact ? "all files intact" : $"damaged: {string.Join(", ", status.Damaged.Concat(status.Missing))} (run repair)"));
                    }
                    return 0;
                case "install":
                case "repair":
                {
                    string payload = Option("--payload") ?? Path.Combine(AppContext.BaseDirectory, "payload");
                    var manifest = PayloadManifest.Load(payload);
                    if (!yes && !Confirm(output, input, $"{(command == "repair" ? "Repair" : "Install")} PdnSegmentation {manifest.PluginVersion} into {PluginInstaller.PluginFolder(target.EffectsFolder)}?"))
                        return 1;
                    installer.Install(payload, target.EffectsFolder);
                    output.WriteLine($"PdnSegmentation {manifest.PluginVersion} is installed in {PluginInstaller.PluginFolder(target.EffectsFolder)}. Restart Paint.NET to use it.");
                    return 0;
                }
                case "uninstall":
                    if (!yes && !Confirm(output, input, $"Remove PdnSegmentation from {PluginInstaller.PluginFolder(target.EffectsFolder)}?")) return 1;
                    installer.Uninstall(target.EffectsFolder);
                    output.WriteLine("PdnSegmentation was removed.");
                    return 0;
                default:
                    return Usage(error);
            }
        }
        catch (SetupException e)
        {
            error.WriteLine($"pdnseg-setup: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"pdnseg-setup: {e.Message} Run the setup as administrator for a classic (Program Files) install.");
            return 1;
        }
    }

    private static bool Confirm(TextWriter output, TextReader? input, string question)
    {
        output.Write(question + " [y/N] ");
        string? answer = (input ?? System.Console.In).ReadLine();
        return answer is not null && answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase);
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: pdnseg-setup install|repair|uninstall|status [--paintdotnet DIR] [--payload DIR] [--yes]");
        error.WriteLine("       pdnseg-setup make-payload DIR --version V");
        return 2;
    }
}
