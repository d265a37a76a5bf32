namespace PdnSegmentation.Setup;

/// <summary>One step of an install, reported so tests can inject a failure after any of them.</summary>
public interface IInstallSteps
{
    void After(string step);
}

internal sealed class NoFaults : IInstallSteps
{
    public static readonly NoFaults Instance = new();
    public void After(string step) { }
}

/// <summary>What is installed where: version, and whether every recorded file still matches.</summary>
public sealed record InstallStatus(string Folder, string? Version, IReadOnlyList<string> Damaged, IReadOnlyList<string> Missing)
{
    public bool Intact => Damaged.Count == 0 && Missing.Count == 0;
}

/// <summary>
/// Installs the plugin folder (Effects\PdnSegmentation) from a verified payload, all-or-nothing: the payload is copied
/// into a staging folder beside the target and every file checked against the manifest; only then is the current
/// version renamed aside, the staging folder renamed into place and the old version deleted. Any failure before the
/// swap leaves the old version untouched; a failure during the swap renames the old version back. The files installed
/// are recorded in the plugin folder (install.log), so uninstall removes exactly those and nothing else.
/// </summary>
public sealed class PluginInstaller(IInstallSteps? steps = null)
{
    public const string PluginFolderName = "PdnSegmentation", LogName = "install.log";
    private readonly IInstallSteps _steps = steps ?? NoFaults.Instance;

    public static string PluginFolder(string effectsFolder) => Path.Combine(effectsFolder, PluginFolderName);

    /// <summary>Install, upgrade or repair: the result is always exactly the payload.</summary>
    public void Install(string payloadFolder, string effectsFolder)
    {
        var manifest = PayloadManifest.Load(payloadFolder);
        VerifyPayload(payloadFolder, manifest);
        Directory.CreateDirectory(effectsFolder);
        string target = PluginFolder(effectsFolder);
        string staging = Path.Combine(effectsFolder, "." + PluginFolderName + ".staging");
        string previous = Path.Combine(effectsFolder, "." + PluginFolderName + ".previous");
        RecoverInterrupted(target, previous);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        if (Directory.Exists(target)) ThrowIfInUse(target);

        try
        {
            Directory.CreateDirectory(staging);
            foreach (var file in manifest.Files)
            {
                string destination = Path.Combine(staging, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(Path.Combine(payloadFolder, file.Path), destination);
                _steps.After($"copy {file.Path}");
            }
            foreach (var file in manifest.Files)
                if (PayloadManifest.Sha256Of(Path.Combine(staging, file.Path)) != file.Sha256)
                    throw new SetupException($"'{file.Path}' changed while it was copied (disk error?). Nothing was changed; try again.");
            File.WriteAllLines(Path.Combine(staging, LogName), [$"version {manifest.PluginVersion}", .. manifest.Files.Select(f => $"{f.Sha256} {f.Size} {f.Path}")]);
            _steps.After("log");
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }

        bool movedAside = false;
        try
        {
            if (Directory.Exists(target))
            {
                Directory.Move(target, previous);
                movedAside = true;
                _steps.After("move aside");
            }
            Directory.Move(staging, target);
            _steps.After("move in");
            Unblock(target);
        }
        catch
        {
            // Before the new version is in: put the old one back. After: the new one stands; drop the old.
            if (movedAside && !Directory.Exists(target) && Directory.Exists(previous)) Directory.Move(previous, target);
            else if (Directory.Exists(target) && Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
    }

    /// <summary>
    /// Windows marks downloaded files with a Zone.Identifier stream, and .NET refuses to load "blocked" plugin assemblies:
    /// remove the stream from every installed file (there is nothing to do elsewhere).
    /// </summary>
    private static void Unblock(string folder)
    {
        if (!OperatingSystem.IsWindows()) return;
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            try { File.Delete(file + ":Zone.Identifier"); }
            catch (IOException) { } // no stream: not blocked
        }
    }

    /// <summary>Removes exactly the files the install recorded (and folders they leave empty).</summary>
    public void Uninstall(string effectsFolder)
    {
        string target = PluginFolder(effectsFolder);
        string log = Path.Combine(target, LogName);
        if (!File.Exists(log)) throw new SetupException($"PdnSegmentation is not installed in '{effectsFolder}' (no {LogName}).");
        ThrowIfInUse(target);
        foreach (var path in Recorded(log).Select(r => r.Path))
        {
            string full = Path.Combine(target, path);
            if (File.Exists(full)) File.Delete(full);
        }
        File.Delete(log);
        foreach (var dir in Directory.GetDirectories(target, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(target))
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
    }

    public InstallStatus? Status(string effectsFolder)
    {
        string target = PluginFolder(effectsFolder);
        string log = Path.Combine(target, LogName);
        if (!File.Exists(log)) return null;
        var damaged = new List<string>();
        var missing = new List<string>();
        foreach (var (sha, _, path) in Recorded(log))
        {
            string full = Path.Combine(target, path);
            if (!File.Exists(full)) missing.Add(path);
            else if (PayloadManifest.Sha256Of(full) != sha) damaged.Add(path);
        }
        string? version = File.ReadLines(log).FirstOrDefault(l => l.StartsWith("version ", StringComparison.Ordinal))?[8..];
        return new InstallStatus(target, version, damaged, missing);
    }

    private static IEnumerable<(string Sha, long Size, string Path)> Recorded(string log) =>
        File.ReadLines(log).Where(l => !l.StartsWith("version ", StringComparison.Ordinal) && l.Length > 0)
            .Select(l => l.Split(' ', 3)).Select(p => (p[0], long.Parse(p[1]), p[2]));

    private static void VerifyPayload(string folder, PayloadManifest manifest)
    {
        foreach (var file in manifest.Files)
        {
            string path = Path.Combine(folder, file.Path);
            if (!File.Exists(path)) throw new SetupException($"The payload is incomplete: '{file.Path}' is missing. Download the installer again.");
            if (new FileInfo(path).Length != file.Size || PayloadManifest.Sha256Of(path) != file.Sha256)
                throw new SetupException($"The payload file '{file.Path}' is corrupt (its checksum does not match). Download the installer again; nothing was changed.");
        }
    }

    /// <summary>Paint.NET holds its plugins open while it runs: a file we cannot open exclusively means it is running.</summary>
    private static void ThrowIfInUse(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            try
            {
                using var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e)
            {
                throw new SetupException($"'{Path.GetFileName(file)}' is in use — Paint.NET is probably running. Close Paint.NET and try again; nothing was changed.", e);
            }
        }
    }

    /// <summary>A swap interrupted by a crash leaves the old version aside: finish or undo it before anything else.</summary>
    private static void RecoverInterrupted(string target, string previous)
    {
        if (!Directory.Exists(previous)) return;
        if (Directory.Exists(target)) Directory.Delete(previous, recursive: true);
        else Directory.Move(previous, target);
    }
}
