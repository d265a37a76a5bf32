using System.Text.Json;
using System.Text.Json.Serialization;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// A model installed in a models folder: a subfolder with a <c>model.json</c> descriptor naming its task, licence,
/// files (relative path, size, SHA-256) and — for Segment Anything exports, whose tensor names differ — the tensor
/// names. The model manager writes these; the bundled models carry theirs.
/// </summary>
public sealed record InstalledModel(string Name, string Task, string Folder, IReadOnlyDictionary<string, ModelFile> Files, SamTensorNames? SamTensors, string? Licence)
{
    /// <summary>For a trimap matting model, its tensor names when they differ from ViTMatte's export.</summary>
    public MattingTensorNames? MattingTensors { get; init; }

    /// <summary>For a subject model, its tensor contract (how to prepare its input and read its output).</summary>
    public SubjectContract? Subject { get; init; }

    public const string SegmentAnythingTask = "segment-anything";
    private const string DescriptorName = "model.json";

    /// <summary>Every model under <paramref name="modelsFolder"/> whose descriptor reads; unreadable ones are reported by name.</summary>
    public static IReadOnlyList<InstalledModel> Discover(string modelsFolder)
    {
        if (!Directory.Exists(modelsFolder)) return [];
        var models = new List<InstalledModel>();
        foreach (string folder in Directory.GetDirectories(modelsFolder).OrderBy(f => f, StringComparer.Ordinal))
            if (System.IO.File.Exists(Path.Combine(folder, DescriptorName))) models.Add(Load(folder));
        return models;
    }

    public static InstalledModel Load(string folder)
    {
        string path = Path.Combine(folder, DescriptorName);
        try
        {
            return ParsedFiles.Get(path, System.IO.File.ReadAllText(path), text => FromDescriptor(folder, path, text));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new ModelException($"The model descriptor '{path}' cannot be read ({e.Message}). Reinstall the model.", e);
        }
    }

    private static InstalledModel FromDescriptor(string folder, string path, string text)
    {
        var descriptor = JsonSerializer.Deserialize(text, ModelJson.Default.Descriptor) ?? throw new JsonException("empty descriptor");
        if (string.IsNullOrWhiteSpace(descriptor.Name) || string.IsNullOrWhiteSpace(descriptor.Task) || descriptor.Files is null || descriptor.Files.Count == 0)
            throw new ModelException($"The model descriptor '{path}' lacks a name, task or files. Reinstall the model.");
        var files = descriptor.Files.ToDictionary(f => f.Key, f => new ModelFile(Path.Combine(folder, f.Value.Path), f.Value.Size, f.Value.Sha256));
        return new InstalledModel(descriptor.Name, descriptor.Task, folder, files.AsReadOnly(), descriptor.Tensors, descriptor.Licence) { MattingTensors = descriptor.MattingTensors, Subject = descriptor.Subject };
    }

    public ModelFile FileFor(string role) =>
        Files.TryGetValue(role, out var file) ? file : throw new ModelException($"The model '{Name}' has no {role} file. Reinstall the model.");

    internal sealed record Descriptor(string Name, string Task, string? Licence, Dictionary<string, FileEntry>? Files, SamTensorNames? Tensors, MattingTensorNames? MattingTensors,
        SubjectContract? Subject);

    internal sealed record FileEntry(string Path, long Size, string Sha256);
}
