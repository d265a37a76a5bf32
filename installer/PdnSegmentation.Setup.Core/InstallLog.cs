namespace PdnSegmentation.Setup;

/// <summary>
/// install.log in the plugin folder: the version, the optional models chosen and every installed file (SHA-256, size,
/// path). Uninstall removes exactly these files; status and repair read it.
/// </summary>
internal sealed record InstallLog(string Version, IReadOnlyList<string> Models, IReadOnlyList<PayloadFile> Files)
{
    public const string FileName = "install.log";

    public void Write(string folder) => File.WriteAllLines(Path.Combine(folder, FileName),
        [$"version {Version}", $"models {string.Join(',', Models)}", .. Files.Select(f => $"{f.Sha256} {f.Size} {f.Path}")]);

    /// <summary>The log in <paramref name="folder"/>, or null when there is none (not installed there).</summary>
    public static InstallLog? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        string version = "";
        IReadOnlyList<string> models = [];
        var files = new List<PayloadFile>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("version ", StringComparison.Ordinal)) version = line[8..];
            else if (line.StartsWith("models ", StringComparison.Ordinal)) models = line[7..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            else if (line.Split(' ', 3) is [var sha, var size, var file] && long.TryParse(size, out long bytes)) files.Add(new PayloadFile(file, bytes, sha));
            else if (line.Length > 0) throw new SetupException($"'{path}' is damaged (line '{line}'): run repair, or reinstall.");
        }
        return new InstallLog(version, models, files);
    }
}
