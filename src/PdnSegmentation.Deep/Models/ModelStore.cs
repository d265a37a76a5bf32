using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;

namespace PdnSegmentation.Deep.Models;

/// <summary>
/// Where models live. The bundled folder beside pdnseg or the plugin holds the catalogue (manifest.json) and the
/// bundled models; it may be read-only (Program Files). The per-user folder is where the model manager installs, so
/// that installing needs no administrator and pdnseg and the Paint.NET plugin see the same installed models. A model
/// installed per user takes precedence over a bundled one of the same name.
/// </summary>
public sealed record ModelStore(string BundledFolder, string UserFolder)
{
    /// <summary>Overrides the per-user folder (e.g. for a portable setup).</summary>
    public const string UserFolderVariable = "PDNSEG_USER_MODELS";

    /// <summary>The bundled folder <c>models/</c> beside <paramref name="programFolder"/>, and this user's folder.</summary>
    public static ModelStore Beside(string programFolder) =>
        new(Path.Combine(programFolder, "models"), DefaultUserFolder(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)));

    /// <summary>
    /// $PDNSEG_USER_MODELS when set; otherwise PdnSegmentation\models in the user's local application data
    /// (%LOCALAPPDATA% on Windows, $XDG_DATA_HOME or ~/.local/share elsewhere) — not roaming: models are large.
    /// </summary>
    public static string DefaultUserFolder(Func<string, string?> environment, string localApplicationData) =>
        environment(UserFolderVariable) is { Length: > 0 } overridden ? overridden : Path.Combine(localApplicationData, "PdnSegmentation", "models");

    public IReadOnlyList<CatalogEntry> Catalogue() => ModelCatalog.Load(BundledFolder);

    /// <summary>Every installed model: the user's first, then the bundled ones they do not shadow.</summary>
    public IReadOnlyList<InstalledModel> Discover()
    {
        var user = InstalledModel.Discover(UserFolder);
        return [.. user, .. InstalledModel.Discover(BundledFolder).Where(b => user.All(u => u.Name != b.Name))];
    }

    public IReadOnlyList<InstalledModel> Discover(string task) => Discover().Where(m => m.Task == task).ToList();

    public bool IsBundled(InstalledModel model) => Path.GetFullPath(Path.GetDirectoryName(model.Folder)!) == Path.GetFullPath(BundledFolder);

    /// <summary>
    /// The installed model for <paramref name="task"/> named <paramref name="name"/>, or the first one when no name is
    /// given (null when there is none); a name that is not installed is an error naming what is.
    /// </summary>
    public InstalledModel? Find(string task, string? name)
    {
        var installed = Discover(task);
        if (name is null) return installed.FirstOrDefault();
        return installed.FirstOrDefault(m => m.Name == name)
               ?? throw new ModelException($"The {task} model '{name}' is not installed in {this} (installed: {(installed.Count == 0 ? "none" : string.Join(", ", installed.Select(m => m.Name)))}).");
    }

    /// <summary>The installed Segment Anything model named <paramref name="name"/>, or the first one when null.</summary>
    public InstalledModel SegmentAnything(string? name) =>
        Find(InstalledModel.SegmentAnythingTask, name)
        ?? throw new ModelException($"No Segment Anything model is installed in {this}. Its weights are not bundled: install one (e.g. MobileSAM) with 'pdnseg models install', then run again.");

    /// <summary>
    /// Every installed subject model, the bundled ones first (in the catalogue's order), then the user's — the order
    /// pickers show them in.
    /// </summary>
    public IReadOnlyList<InstalledModel> SubjectModels()
    {
        var models = Discover(SubjectSelector.Task);
        var order = Catalogue().Select(e => e.Name).ToList();
        int Rank(InstalledModel m) => order.IndexOf(m.Name) is >= 0 and var i ? i : int.MaxValue;
        return models.OrderBy(m => IsBundled(m) ? 0 : 1).ThenBy(Rank).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The installed subject model named <paramref name="name"/> ("selfie" is the bundled MediaPipe model), or the first one.</summary>
    public InstalledModel Subject(string? name) =>
        (name is null ? SubjectModels().FirstOrDefault() : Find(SubjectSelector.Task, name == "selfie" ? SelfieModel : name))
        ?? throw new ModelException($"No subject model is installed in {this}. Reinstall the tool (the bundled u2netp is missing).");

    /// <summary>The bundled people model's folder name.</summary>
    public const string SelfieModel = "mediapipe-selfie-segmentation";

    /// <summary>Removes a model the user installed; bundled models ship with the program and stay.</summary>
    public void Remove(string name)
    {
        if (!File.Exists(Path.Combine(UserFolder, name, "model.json")) && File.Exists(Path.Combine(BundledFolder, name, "model.json")))
            throw new ModelException($"'{name}' is bundled with the program in '{BundledFolder}' and cannot be removed here (the installer can leave it out).");
        ModelInstaller.Remove(UserFolder, name);
    }

    /// <summary>Both folders, for messages.</summary>
    public override string ToString() => $"'{UserFolder}' (yours) or '{BundledFolder}' (bundled)";
}
