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

    /// <summary>
    /// The file's MD5, lower-case hex: only to compare with a publisher that states nothing stronger (rembg's release
    /// assets). MD5 is not collision-resistant, but it does catch a changed, truncated or corrupted download.
    /// </summary>
    public static string Md5Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(MD5.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Refuses a file whose MD5 is not the publisher's (nothing is installed from it).</summary>
    internal static void CheckMd5(string actual, string? published, string fileName)
    {
        if (published is not null && !string.Equals(actual, published, StringComparison.OrdinalIgnoreCase))
            throw new ModelException($"'{fileName}' does not match its publisher's MD5 ({actual[..12]}… instead of {published.ToLowerInvariant()[..12]}…): " +
                                     "nothing was installed. The file is damaged, another version, or has been tampered with; download it again from the catalogue's address.");
    }
}
