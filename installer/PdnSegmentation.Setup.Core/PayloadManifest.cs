using System.Security.Cryptography;
using System.Text.Json;

namespace PdnSegmentation.Setup;

public sealed record PayloadFile(string Path, long Size, string Sha256);

/// <summary>
/// What a plugin payload contains: every file with its path relative to the plugin folder, size and SHA-256, the plugin
/// version and the oldest Paint.NET it runs on. Written next to the payload as payload.json by the build step.
/// </summary>
public sealed record PayloadManifest(string PluginVersion, string MinimumPaintDotNetVersion, IReadOnlyList<PayloadFile> Files)
{
    public const string FileName = "payload.json";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>Describes every file under <paramref name="folder"/> (except the manifest itself).</summary>
    public static PayloadManifest Create(string folder, string pluginVersion, string minimumPaintDotNetVersion = "5.1")
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f != FileName)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new PayloadFile(f, new FileInfo(System.IO.Path.Combine(folder, f)).Length, Sha256Of(System.IO.Path.Combine(folder, f))))
            .ToList();
        return new PayloadManifest(pluginVersion, minimumPaintDotNetVersion, files);
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
