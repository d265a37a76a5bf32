using System.Text.Json;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;

namespace PdnSegmentation.Deep.Models;

/// <summary>One catalogue entry (models/manifest.json): a bundled model, or one users install.</summary>
public sealed record CatalogEntry(string Name, string Task, bool Bundled, string Licence, string? Source, IReadOnlyList<CatalogFile> Files, SamTensorNames? Tensors)
{
    /// <summary>What the model is for, in the user's words (e.g. "Select Subject: people (portraits)").</summary>
    public string Description { get; init; } = "";

    /// <summary>For a subject model, its tensor contract (written into model.json at install and checked against the file).</summary>
    public SubjectContract? Subject { get; init; }
}

public sealed record CatalogFile(string Role, string FileName, string? Url, long? Size, string? Sha256);

/// <summary>The model catalogue shipped in models/manifest.json.</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<CatalogEntry> Load(string modelsFolder)
    {
        string path = Path.Combine(modelsFolder, "manifest.json");
        if (!File.Exists(path)) return [];
        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllText(path), ModelJson.Default.Manifest);
            return manifest?.Models?.Select(m => new CatalogEntry(m.Name, m.Task, m.Bundled, m.Licence ?? "", m.Source, m.Files ?? [], m.Tensors)
                { Description = m.Description ?? m.Task, Subject = m.Subject }).ToList() ?? [];
        }
        catch (JsonException e)
        {
            throw new ModelException($"The model catalogue '{path}' cannot be read ({e.Message}). Reinstall the tool.", e);
        }
    }

    /// <summary>
    /// What to install for <paramref name="entry"/>: its files from the catalogue's URLs, or from the URLs or local files
    /// the user gives per role (role=value).
    /// </summary>
    public static DownloadableModel ToDownload(CatalogEntry entry, IReadOnlyDictionary<string, string> urls, IReadOnlyDictionary<string, string> localFiles)
    {
        if (entry.Bundled) throw new ModelException($"'{entry.Name}' is bundled: it is installed with the tool and the plugin already.");
        var sources = new List<ModelSource>();
        foreach (var file in entry.Files)
        {
            string? url = urls.GetValueOrDefault(file.Role) ?? file.Url;
            if (url is null && !localFiles.ContainsKey(file.Role))
                throw new ModelException($"'{entry.Name}' has no download address for its {file.Role}: give --from {file.Role}=PATH or --url {file.Role}=URL. {entry.Source}");
            sources.Add(new ModelSource(file.Role, file.FileName, new Uri(url ?? "file:///local"), file.Size, file.Sha256));
        }
        return new DownloadableModel(entry.Name, entry.Task, entry.Licence, sources, entry.Tensors) { Subject = entry.Subject };
    }

    internal sealed record Manifest(List<ManifestModel>? Models);
    internal sealed record ManifestModel(string Name, string Task, string? Description, bool Bundled, string? Licence, string? Source, List<CatalogFile>? Files, SamTensorNames? Tensors,
        SubjectContract? Subject);
}
