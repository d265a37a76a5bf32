using System.CommandLine;
using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Cli.Commands;

/// <summary>
/// <c>pdnseg models list | install | verify | remove</c>: the model manager. Models install into the per-user folder
/// (<see cref="ModelStore"/>); the catalogue and the bundled models sit beside pdnseg.
/// </summary>
public static class ModelsCommand
{
    /// <summary>The models pdnseg sees: bundled beside it, installed in <paramref name="userFolder"/> or the user's default folder.</summary>
    internal static ModelStore Store(string? userFolder = null)
    {
        var store = ModelStore.Beside(AppContext.BaseDirectory);
        return userFolder is null ? store : store with { UserFolder = userFolder };
    }

    internal static Option<string?> MattingModelOption() => new("--matting-model")
    {
        Description = "With --matte: a deep matting model you installed (task 'matting') for the edge, or 'none' for closed-form. Default: the first installed, else closed-form.",
    };

    /// <summary>The deep matting model to use: the one named, else the first installed; null for none (or 'none').</summary>
    /// <param name="cpuThreads">Threads one model run may use on the CPU (<see cref="BatchRunner.ModelThreads"/>).</param>
    internal static DeepMatting? OpenMatting(CommandContext context, string? name, string? userFolder, ExecutionDevice device, int cpuThreads = 0)
    {
        if (name == "none") return null;
        if (Store(userFolder).Find(DeepMatting.Task, name) is not { } model) return null;
        var matting = DeepMatting.Open(model, device, new DeepMattingOptions { CpuThreads = cpuThreads });
        SubjectCommand.Prepare(context, matting, model.Name);
        context.Error.WriteLine($"Matting the edge with {model.Name} on {matting.Device.Device}.");
        return matting;
    }

    internal static Option<string?> FolderOption() => new("--models-dir")
    {
        Description = $"Folder of user-installed models (default: PdnSegmentation/models in the user's local application data, or ${ModelStore.UserFolderVariable}).",
    };

    public static Command Create(CommandContext context)
    {
        var dir = FolderOption();
        var list = new Command("list", "Installed models (yours and the bundled ones) and the catalogue's other models.") { dir };
        list.SetAction(parse => List(context, Store(parse.GetValue(dir))));

        var name = new Argument<string>("name") { Description = "The catalogue's name for the model (see 'pdnseg models list')." };
        var from = new Option<string[]>("--from") { Description = "ROLE=PATH: install that file from a local copy (e.g. --from encoder=mobilesam_encoder.onnx).", DefaultValueFactory = _ => [] };
        var url = new Option<string[]>("--url") { Description = "ROLE=URL: download that file from this address.", DefaultValueFactory = _ => [] };
        var install = new Command("install", "Download (resumable) or copy a model, verify it and install it all-or-nothing into your models folder.") { name, from, url, dir };
        install.SetAction(parse => Install(context, parse.GetRequiredValue(name), parse.GetValue(from) ?? [], parse.GetValue(url) ?? [], Store(parse.GetValue(dir))));

        var verify = new Command("verify", "Check every installed model's files against their recorded size and SHA-256.") { dir };
        verify.SetAction(parse => Verify(context, Store(parse.GetValue(dir))));

        var removeName = new Argument<string>("name") { Description = "The installed model to remove." };
        var remove = new Command("remove", "Remove a model you installed (only its own folder).") { removeName, dir };
        remove.SetAction(parse =>
        {
            Store(parse.GetValue(dir)).Remove(parse.GetRequiredValue(removeName));
            context.Out.WriteLine($"removed {parse.GetRequiredValue(removeName)}");
            return ExitCodes.Success;
        });
        return new Command("models", "The model manager: list, install, verify and remove deep models.") { list, install, verify, remove };
    }

    private static int List(CommandContext context, ModelStore store)
    {
        var installed = store.Discover();
        var catalogue = store.Catalogue();
        string Description(string name) => catalogue.FirstOrDefault(e => e.Name == name)?.Description is { Length: > 0 } d ? $"  {d}." : "";
        foreach (var m in installed)
            context.Out.WriteLine($"{m.Name,-32} {m.Task,-18} {(store.IsBundled(m) ? "bundled" : "installed"),-10} {m.Licence}{Description(m.Name)}  ({m.Folder})");
        foreach (var entry in catalogue.Where(e => installed.All(m => m.Name != e.Name)))
            context.Out.WriteLine($"{entry.Name,-32} {entry.Task,-18} {"available",-10} {entry.Licence}{Description(entry.Name)}");
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

    private static int Install(CommandContext context, string name, string[] from, string[] urls, ModelStore store)
    {
        var local = Pairs(from, "--from");
        var addresses = Pairs(urls, "--url");
        var entry = store.Catalogue().FirstOrDefault(e => e.Name == name)
                    ?? throw new InputFileException($"The catalogue has no model named '{name}'; 'pdnseg models list' shows the names.");
        var download = ModelCatalog.ToDownload(entry, addresses, local);
        using var http = new HttpClient();
        InstalledModel installed;
        using (var progress = new ConsoleProgress(context.Error, $"Installing {name}"))
        {
            var report = new Progress<(string File, long Done, long? Total)>(p => { if (p.Total is > 0) progress.Report((double)p.Done / p.Total.Value); });
            installed = ModelInstaller.InstallAsync(http, download, store.UserFolder, local, report, context.Cancellation).GetAwaiter().GetResult();
        }
        context.Out.WriteLine($"installed {installed.Name} in {installed.Folder}");
        return ExitCodes.Success;
    }

    private static int Verify(CommandContext context, ModelStore store)
    {
        int failures = 0;
        foreach (var model in store.Discover())
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
