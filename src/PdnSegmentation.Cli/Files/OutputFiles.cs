namespace PdnSegmentation.Cli.Files;

/// <summary>
/// All-or-nothing outputs: every file is encoded in memory and written to a temporary name beside its target,
/// and only when all are written are they renamed into place. A failure or Ctrl+C leaves no partial file.
/// </summary>
public sealed class OutputFiles
{
    private readonly List<(string Path, byte[] Bytes)> _pending = new();

    /// <summary>Fails early (before any work) when an output's folder does not exist.</summary>
    public static void CheckWritable(string? path)
    {
        if (path is null) return;
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
            throw new InputFileException($"Cannot write '{path}': the folder '{dir}' does not exist.");
    }

    public void Add(string path, byte[] bytes) => _pending.Add((path, bytes));

    public void Commit(CancellationToken cancellationToken)
    {
        var written = new List<(string Temp, string Target)>();
        try
        {
            foreach (var (path, bytes) in _pending)
            {
                string full = Path.GetFullPath(path);
                string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
                written.Add((temp, full));
                File.WriteAllBytes(temp, bytes);
            }
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (temp, target) in written) File.Move(temp, target, overwrite: true);
            written.Clear();
        }
        finally
        {
            foreach (var (temp, _) in written)
                try { File.Delete(temp); } catch (IOException) { /* best effort: the temp name is hidden */ }
        }
    }
}
