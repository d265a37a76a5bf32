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

/// <param name="Md5">The publisher's MD5 where it states no SHA-256 (rembg's release assets); a mismatch is refused.</param>
/// <param name="PinnedFrom">Where the URL and pins were taken from (the publisher's source file and its revision).</param>
public sealed record CatalogFile(string Role, string FileName, string? Url, long? Size, string? Sha256, string? Md5 = null, string? PinnedFrom = null);

/// <summary>The model catalogue shipped in models/manifest.json.</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<CatalogEntry> Load(string modelsFolder)
    {
        string path = Path.Combine(modelsFolder, "manifest.json");
        if (!File.Exists(path)) return [];
        try
        {
            return ParsedFiles.Get(path, File.ReadAllText(path), text =>
            {
                var manifest = JsonSerializer.Deserialize(text, ModelJson.Default.Manifest);
                return (manifest?.Models?.Select(m => new CatalogEntry(m.Name, m.Task, m.Bundled, m.Licence ?? "", m.Source, m.Files ?? [], m.Tensors)
                    { Description = m.Description ?? m.Task, Subject = m.Subject }).ToList() ?? []).AsReadOnly();
            });
        }
        catch (JsonException e)
        {
            throw new ModelException($"The model catalogue '{path}' cannot be read ({e.Message}). Reinstall the tool.", e);
        }
    }

    /// <summary>
    /// What to install for <paramref name="entry"/>: its files from the catalogue's URLs, or from the URLs or local files
    /// the user gives per role (role=value). The catalogue's size and hash pins describe the file at its own address, so
    /// they apply to that download only: a file or address the user names is their own export (checked against the
    /// model's tensor contract, as every install is).
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
            bool fromCatalogue = !urls.ContainsKey(file.Role) && !localFiles.ContainsKey(file.Role);
            sources.Add(fromCatalogue
                ? new ModelSource(file.Role, file.FileName, new Uri(url!), file.Size, file.Sha256, file.Md5)
                : new ModelSource(file.Role, file.FileName, new Uri(url ?? "file:///local"), null, null));
        }
        return new DownloadableModel(entry.Name, entry.Task, entry.Licence, sources, entry.Tensors) { Subject = entry.Subject };
    }

    internal sealed record Manifest(List<ManifestModel>? Models);
    internal sealed record ManifestModel(string Name, string Task, string? Description, bool Bundled, string? Licence, string? Source, List<CatalogFile>? Files, SamTensorNames? Tensors,
        SubjectContract? Subject);
}
