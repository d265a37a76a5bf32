using System.CommandLine;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg models list | install | verify | remove</c>: the model manager.</summary>
public static class ModelsCommand
{
    public static Command Create(CommandContext context)
    {
        var dir = new Option<string?>("--models-dir") { Description = "Folder of installed models (default: models/ beside pdnseg, or $PDNSEG_MODELS)." };
        var list = new Command("list", "Installed models and the catalogue's other models.") { dir };
        list.SetAction(parse => List(context, parse.GetValue(dir) ?? SubjectCommand.ModelsFolder()));

        var name = new Argument<string>("name") { Description = "The catalogue's name for the model (see 'pdnseg models list')." };
        var from = new Option<string[]>("--from") { Description = "ROLE=PATH: install that file from a local copy (e.g. --from encoder=mobilesam_encoder.onnx).", DefaultValueFactory = _ => [] };
        var url = new Option<string[]>("--url") { Description = "ROLE=URL: download that file from this address.", DefaultValueFactory = _ => [] };
        var install = new Command("install", "Download (resumable) or copy a model, verify it and install it all-or-nothing.") { name, from, url, dir };
        install.SetAction(parse => Install(context, parse.GetRequiredValue(name), parse.GetValue(from) ?? [], parse.GetValue(url) ?? [],
            parse.GetValue(dir) ?? SubjectCommand.ModelsFolder()));

        var verify = new Command("verify", "Check every installed model's files against their recorded size and SHA-256.") { dir };
        verify.SetAction(parse => Verify(context, parse.GetValue(dir) ?? SubjectCommand.ModelsFolder()));

        var removeName = new Argument<string>("name") { Description = "The installed model to remove." };
        var remove = new Command("remove", "Remove an installed model (only its own folder).") { removeName, dir };
        remove.SetAction(parse =>
        {
            ModelInstaller.Remove(parse.GetValue(dir) ?? SubjectCommand.ModelsFolder(), parse.GetRequiredValue(removeName));
            context.Out.WriteLine($"removed {parse.GetRequiredValue(removeName)}");
            return ExitCodes.Success;
        });
        return new Command("models", "The model manager: list, install, verify and remove deep models.") { list, install, verify, remove };
    }

    private static int List(CommandContext context, string folder)
    {
        var installed = InstalledModel.Discover(folder);
        foreach (var m in installed) context.Out.WriteLine($"{m.Name,-32} {m.Task,-18} installed  {m.Licence}");
        foreach (var entry in ModelCatalog.Load(folder).Where(e => installed.All(m => m.Name != e.Name)))
            context.Out.WriteLine($"{entry.Name,-32} {entry.Task,-18} available  {entry.Licence}");
        return ExitCodes.Success;
    }

    private static Dictionary<string, string> Pairs(string[] values, string option)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var value in values)
        {
            int eq = value.IndexOf('=');
            if (eq <= 0 || eq == value.Length - 1) throw new UsageException($"{option} '{value}': write ROLE=VALUE, e.g. {option} encoder=...");
            pairs[value[..eq]] = value[(eq + 1)..];
        }
        return pairs;
    }

    private static int Install(CommandContext context, string name, string[] from, string[] urls, string folder)
    {
        var local = Pairs(from, "--from");
        var addresses = Pairs(urls, "--url");
        var entry = ModelCatalog.Load(folder).FirstOrDefault(e => e.Name == name)
                    ?? throw new InputFileException($"The catalogue has no model named '{name}'; 'pdnseg models list' shows the names.");
        var download = ModelCatalog.ToDownload(entry, addresses, local);
        using var http = new HttpClient();
        InstalledModel installed;
        using (var progress = new ConsoleProgress(context.Error, $"Installing {name}"))
        {
            var report = new Progress<(string File, long Done, long? Total)>(p => { if (p.Total is > 0) progress.Report((double)p.Done / p.Total.Value); });
            installed = ModelInstaller.InstallAsync(http, download, folder, local, report, context.Cancellation).GetAwaiter().GetResult();
        }
        context.Out.WriteLine($"installed {installed.Name} in {installed.Folder}");
        return ExitCodes.Success;
    }

    private static int Verify(CommandContext context, string folder)
    {
        int failures = 0;
        foreach (var model in InstalledModel.Discover(folder))
            foreach (var (role, file) in model.Files)
            {
                try
                {
                    file.Verify();
                    context.Out.WriteLine($"ok      {model.Name} {role} {Path.GetFileName(file.Path)}");
                }
                catch (ModelException e)
                {
                    failures++;
                    context.Out.WriteLine($"FAILED  {model.Name} {role}: {e.Message}");
                }
            }
        return failures == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }
}
