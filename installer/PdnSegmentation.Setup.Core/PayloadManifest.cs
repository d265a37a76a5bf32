using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdnSegmentation.Setup;

/// <param name="Component">Null for the plugin itself (always installed); a model's name for the files of an optional model.</param>
public sealed record PayloadFile(string Path, long Size, string Sha256, string? Component = null);

/// <summary>
/// What a plugin payload contains: every file with its path relative to the plugin folder, size and SHA-256, the
/// optional model component it belongs to, the plugin version and the oldest Paint.NET it runs on. Written into the
/// payload folder as payload.json by the build step (installer/Payload.proj → make-payload).
/// </summary>
public sealed record PayloadManifest(string PluginVersion, string MinimumPaintDotNetVersion, IReadOnlyList<PayloadFile> Files)
{
    public const string FileName = "payload.json";
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The optional model components, in name order.</summary>
    public IReadOnlyList<string> Models => Files.Select(f => f.Component).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Describes every file under <paramref name="folder"/> (except the manifest itself). Each models/NAME/ folder is an
    /// optional component, and its pinned files must match the model catalogue (models/manifest.json) — a payload is
    /// never built around a model that is not the published one.
    /// </summary>
    public static PayloadManifest Create(string folder, string pluginVersion, string minimumPaintDotNetVersion = "5.1")
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f != FileName)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new PayloadFile(f, new FileInfo(System.IO.Path.Combine(folder, f)).Length, Sha256Of(System.IO.Path.Combine(folder, f)), ComponentOf(f)))
            .ToList();
        var manifest = new PayloadManifest(pluginVersion, minimumPaintDotNetVersion, files);
        if (manifest.Models.Count > 0)
        {
            var catalogue = ModelCatalogue.Load(folder);
            foreach (var model in manifest.Models) catalogue.Verify(folder, model);
        }
        return manifest;
    }

    /// <summary>models/NAME/... belongs to model NAME; everything else (models/manifest.json included) is the plugin.</summary>
    private static string? ComponentOf(string relativePath)
    {
        var parts = relativePath.Split('/');
        return parts.Length >= 3 && parts[0] == "models" ? parts[1] : null;
    }

    public void Save(string folder) => File.WriteAllText(System.IO.Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    public static PayloadManifest Load(string folder)
    {
        string path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new SetupException($"'{folder}' has no {FileName}: it is not a PdnSegmentation payload.");
        try
        {
            return JsonSerializer.Deserialize<PayloadManifest>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new SetupException($"'{path}' cannot be read ({e.Message}): the payload is damaged; download it again.");
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}

/// <summary>A problem the user can act on; the message says what and what to do.</summary>
public sealed class SetupException(string message, Exception? inner = null) : Exception(message, inner);
