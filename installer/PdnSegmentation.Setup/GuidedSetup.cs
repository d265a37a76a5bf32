using PdnSegmentation.Setup;

namespace PdnSegmentation.Setup.Console;

/// <summary>
/// The double-click experience: pdnseg-setup started without arguments (the single-file Windows executable opened from
/// Explorer) finds Paint.NET, says what is installed, asks what to do and which optional models to include, shows
/// progress, and keeps the window open until the user has read the outcome. The same engine as the commands.
/// </summary>
internal static class GuidedSetup
{
    public static int Run(TextWriter output, TextWriter error, TextReader input, IMachine machine, string payload)
    {
        int exit;
        try
        {
            exit = Guide(output, input, machine, payload);
        }
        catch (Exception e) when (SetupApp.Problem(e) is { } message)
        {
            error.WriteLine($"pdnseg-setup: {message}");
            exit = 1;
        }
        output.Write("Press Enter to close this window.");
        input.ReadLine();
        output.WriteLine();
        return exit;
    }

    private static int Guide(TextWriter output, TextReader input, IMachine machine, string payload)
    {
        var manifest = PayloadManifest.Load(payload);
        output.WriteLine($"PdnSegmentation {manifest.PluginVersion} setup — Smart Cut, Refine Matte, Lazy Snap, Select Subject and Segment Anything for Paint.NET.");
        output.WriteLine();
        var locator = new PaintDotNetLocator(machine);
        var installs = locator.Find();
        if (installs.Count == 0)
        {
            output.Write("Paint.NET 5.1 or newer was not found. Type the folder of a portable Paint.NET (the one with paintdotnet.exe), or press Enter to quit: ");
            string? folder = input.ReadLine()?.Trim().Trim('"');
            output.WriteLine();
            if (string.IsNullOrEmpty(folder)) return Quit(output);
            installs = locator.Find(folder);
        }

        var installer = new PluginInstaller();
        for (int i = 0; i < installs.Count; i++)
            output.WriteLine($"  [{i + 1}] {SetupApp.Describe(installs[i])}: {SetupApp.Describe(installer.Status(installs[i].EffectsFolder))}");
        var target = installs[0];
        if (installs.Count > 1)
        {
            output.Write($"Which Paint.NET? [1-{installs.Count}, Enter = 1] ");
            string? answer = input.ReadLine()?.Trim();
            output.WriteLine();
            if (answer is null) return Quit(output);
            if (answer.Length > 0)
            {
                if (!int.TryParse(answer, out int choice) || choice < 1 || choice > installs.Count)
                    throw new SetupException($"'{answer}' is not one of 1 to {installs.Count}. Run the setup again.");
                target = installs[choice - 1];
            }
        }

        string folderName = PluginInstaller.PluginFolder(target.EffectsFolder);
        var status = installer.Status(target.EffectsFolder);
        if (status is not null)
        {
            output.Write($"PdnSegmentation {status.Version} is installed in {folderName}. [U]pdate or repair it to {manifest.PluginVersion}, [R]emove it, or [Q]uit? [U] ");
            string? action = input.ReadLine()?.Trim().ToLowerInvariant();
            output.WriteLine();
            if (action is null || action.StartsWith('q')) return Quit(output);
            if (action.StartsWith('r'))
            {
                installer.Uninstall(target.EffectsFolder);
                output.WriteLine("PdnSegmentation was removed.");
                return 0;
            }
            if (action.Length > 0 && !action.StartsWith('u')) throw new SetupException($"'{action}' is not U, R or Q. Run the setup again.");
        }
        else if (!SetupApp.Confirm(output, input, $"Install PdnSegmentation {manifest.PluginVersion} into {folderName}?", defaultYes: true))
        {
            return Quit(output);
        }

        var catalogue = manifest.Models.Count > 0 ? ModelCatalogue.Load(payload) : null;
        var models = new List<string>();
        if (manifest.Models.Count > 0)
            output.WriteLine("Optional models (the classic tools — Smart Cut, Refine Matte, Lazy Snap — work without them):");
        foreach (var name in manifest.Models)
        {
            var model = catalogue!.Find(name);
            double megabytes = manifest.Files.Where(f => f.Component == name).Sum(f => f.Size) / 1e6;
            bool wanted = status is null || status.Models.Contains(name);
            string what = model is null ? name : $"{name} — {model.Description}, {model.Licence}";
            if (SetupApp.Confirm(output, input, $"  include {what} ({megabytes:F1} MB)?", defaultYes: wanted)) models.Add(name);
        }
        SetupApp.Install(installer, payload, target, models, output);
        return 0;
    }

    private static int Quit(TextWriter output)
    {
        output.WriteLine("Nothing was changed.");
        return 1;
    }
}
