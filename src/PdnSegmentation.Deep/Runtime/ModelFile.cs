using System.Security.Cryptography;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>A model file the catalogue describes: where it is, and the size and SHA-256 it must have.</summary>
public sealed record ModelFile(string Path, long Size, string Sha256)
{
    /// <summary>Checks the file is there and intact; a damaged download is named with what to do.</summary>
    public void Verify()
    {
        string name = System.IO.Path.GetFileName(Path);
        var info = new FileInfo(Path);
        if (!info.Exists)
            throw new ModelException($"The model file '{Path}' is missing. Reinstall the plugin (or run 'pdnseg models verify') to restore it.");
        if (info.Length != Size)
            throw new ModelException($"The model file '{name}' has {info.Length} bytes instead of {Size}: it is truncated or a different file. " +
                                     "Reinstall it (the download may have been interrupted).");
        string actual = Sha256Of(Path);
        if (actual != Sha256.ToLowerInvariant())
            throw new ModelException($"The model file '{name}' is corrupt (SHA-256 {actual[..12]}… instead of {Sha256[..12]}…). Reinstall it.");
    }

    /// <summary>A file described as it is now: its size and SHA-256.</summary>
    internal static ModelFile Of(string path) => new(path, new FileInfo(path).Length, Sha256Of(path));

    /// <summary>The file's SHA-256, lower-case hex.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
