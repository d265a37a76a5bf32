using System.Text.Json;

namespace PdnSegmentation.Setup;

public sealed record PinnedModelFile(string FileName, long Size, string Sha256);

/// <summary>A bundled model as models/manifest.json describes it: what it does, its licence and its pinned files.</summary>
public sealed record CatalogueModel(string Name, string Description, string Licence, IReadOnlyList<PinnedModelFile> Files);

/// <summary>
/// The bundled models' entries of the model catalogue (models/manifest.json), against which the installer checks its
/// optional model components. The deep engine has its own reader of the same file (PdnSegmentation.Deep); the installer
/// reads the few fields it needs itself so that it does not carry the deep engine and ONNX Runtime.
/// </summary>
public sealed class ModelCatalogue
{
    public const string RelativePath = "models/manifest.json";
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly Dictionary<string, CatalogueModel> _models;

    private ModelCatalogue(Dictionary<string, CatalogueModel> models) => _models = models;

    /// <summary>The catalogue inside a payload or plugin folder (<paramref name="folder"/>/models/manifest.json).</summary>
    public static ModelCatalogue Load(string folder)
    {
        string path = Path.Combine(folder, RelativePath);
        if (!File.Exists(path)) throw new SetupException($"'{path}' is missing: the model catalogue is needed to verify the models. Download the installer again.");
        try
        {
            var document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            var models = (document.Models ?? []).Where(m => m.Bundled && m.Name is not null).ToDictionary(
                m => m.Name!,
                m => new CatalogueModel(m.Name!, m.Description ?? m.Task ?? "", m.Licence ?? "",
                    (m.Files ?? []).Where(f => f.FileName is not null && f.Sha256 is not null && f.Size is not null)
                        .Select(f => new PinnedModelFile(f.FileName!, f.Size!.Value, f.Sha256!.ToLowerInvariant())).ToList()),
                StringComparer.Ordinal);
            return new ModelCatalogue(models);
        }
        catch (JsonException e)
        {
            throw new SetupException($"'{path}' cannot be read ({e.Message}): the payload is damaged; download the installer again.", e);
        }
    }

    public CatalogueModel? Find(string name) => _models.GetValueOrDefault(name);

    /// <summary>
    /// Checks every pinned file of model <paramref name="name"/> under <paramref name="folder"/>/models/<paramref name="name"/>
    /// against the catalogue's size and SHA-256; throws naming the first file that is missing or differs.
    /// </summary>
    public void Verify(string folder, string name)
    {
        if (Find(name) is not { Files.Count: > 0 } model)
            throw new SetupException($"The model '{name}' is not pinned in {RelativePath} (no file with size and SHA-256): it cannot be verified, so it is not installed. Download the installer again.");
        foreach (var file in model.Files)
        {
            string relative = $"models/{name}/{file.FileName}";
            string path = Path.Combine(folder, relative);
            if (!File.Exists(path)) throw new SetupException($"The model file '{relative}' is missing. Download the installer again; nothing was changed.");
            if (new FileInfo(path).Length != file.Size || PayloadManifest.Sha256Of(path) != file.Sha256)
                throw new SetupException($"The model file '{relative}' does not match its SHA-256 in {RelativePath}: it is damaged or not the published model. Download the installer again; nothing was changed.");
        }
    }

    private sealed record Document(List<Entry>? Models);
    private sealed record Entry(string? Name, string? Task, string? Description, bool Bundled, string? Licence, List<EntryFile>? Files);
    private sealed record EntryFile(string? FileName, long? Size, string? Sha256);
}
