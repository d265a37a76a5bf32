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

/// <summary>What is installed where: version, optional models, and whether every recorded file still matches.</summary>
public sealed record InstallStatus(string Folder, string? Version, IReadOnlyList<string> Models, IReadOnlyList<string> Damaged, IReadOnlyList<string> Missing)
{
    public bool Intact => Damaged.Count == 0 && Missing.Count == 0;
}

/// <summary>How far an install has got: the stage ("verifying payload", "copying", "verifying copy") and its files.</summary>
public readonly record struct InstallProgress(string Stage, int Done, int Total);

/// <summary>
/// Installs the plugin folder (Effects\PdnSegmentation) from a verified payload, all-or-nothing: the payload is copied
/// into a staging folder beside the target and every file checked against the manifest; only then is the current
/// version renamed aside, the staging folder renamed into place and the old version deleted. Any failure before the
/// swap leaves the old version untouched; a failure during the swap renames the old version back. The files installed
/// are recorded in the plugin folder (install.log), so uninstall removes exactly those and nothing else. Bundled models
/// are optional components, each checked against the model catalogue's pinned SHA-256 before anything is copied.
/// </summary>
public sealed class PluginInstaller(IInstallSteps? steps = null)
{
    public const string PluginFolderName = "PdnSegmentation", LogName = InstallLog.FileName;
    private readonly IInstallSteps _steps = steps ?? NoFaults.Instance;

    public static string PluginFolder(string effectsFolder) => Path.Combine(effectsFolder, PluginFolderName);

    /// <summary>Install, upgrade or repair: the result is always exactly the payload's plugin files and the chosen models.</summary>
    /// <param name="models">The optional models to include (names from the payload); null for all of them.</param>
    public void Install(string payloadFolder, string effectsFolder, IReadOnlyCollection<string>? models = null, IProgress<InstallProgress>? progress = null)
    {
        var manifest = PayloadManifest.Load(payloadFolder);
        var chosen = ChooseModels(manifest, models);
        var files = manifest.Files.Where(f => f.Component is null || chosen.Contains(f.Component)).ToList();
        VerifyPayload(payloadFolder, files, progress);
        if (chosen.Count > 0)
        {
            var catalogue = ModelCatalogue.Load(payloadFolder);
            foreach (var model in chosen) catalogue.Verify(payloadFolder, model);
        }
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
            for (int i = 0; i < files.Count; i++)
            {
                string destination = Path.Combine(staging, files[i].Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(Path.Combine(payloadFolder, files[i].Path), destination);
                progress?.Report(new InstallProgress("copying", i + 1, files.Count));
                _steps.After($"copy {files[i].Path}");
            }
            for (int i = 0; i < files.Count; i++)
            {
                if (PayloadManifest.Sha256Of(Path.Combine(staging, files[i].Path)) != files[i].Sha256)
                    throw new SetupException($"'{files[i].Path}' changed while it was copied (disk error?). Nothing was changed; try again.");
                progress?.Report(new InstallProgress("verifying copy", i + 1, files.Count));
            }
            new InstallLog(manifest.PluginVersion, chosen, files).Write(staging);
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

    private static List<string> ChooseModels(PayloadManifest manifest, IReadOnlyCollection<string>? models)
    {
        if (models is null) return [.. manifest.Models];
        var unknown = models.Where(m => !manifest.Models.Contains(m)).ToList();
        if (unknown.Count > 0)
            throw new SetupException($"The payload has no model '{unknown[0]}'. Its models are: {(manifest.Models.Count == 0 ? "none" : string.Join(", ", manifest.Models))}.");
        return [.. models.Distinct().Order(StringComparer.Ordinal)];
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
        var log = InstallLog.Read(target) ?? throw new SetupException($"PdnSegmentation is not installed in '{effectsFolder}' (no {LogName}).");
        ThrowIfInUse(target);
        foreach (var file in log.Files)
        {
            string full = Path.Combine(target, file.Path);
            if (File.Exists(full)) File.Delete(full);
        }
        File.Delete(Path.Combine(target, LogName));
        foreach (var dir in Directory.GetDirectories(target, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(target))
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
    }

    public InstallStatus? Status(string effectsFolder)
    {
        string target = PluginFolder(effectsFolder);
        if (InstallLog.Read(target) is not { } log) return null;
        var damaged = new List<string>();
        var missing = new List<string>();
        foreach (var file in log.Files)
        {
            string full = Path.Combine(target, file.Path);
            if (!File.Exists(full)) missing.Add(file.Path);
            else if (PayloadManifest.Sha256Of(full) != file.Sha256) damaged.Add(file.Path);
        }
        return new InstallStatus(target, log.Version, log.Models, damaged, missing);
    }

    private static void VerifyPayload(string folder, IReadOnlyList<PayloadFile> files, IProgress<InstallProgress>? progress)
    {
        for (int i = 0; i < files.Count; i++)
        {
            string path = Path.Combine(folder, files[i].Path);
            if (!File.Exists(path)) throw new SetupException($"The payload is incomplete: '{files[i].Path}' is missing. Download the installer again.");
            if (new FileInfo(path).Length != files[i].Size || PayloadManifest.Sha256Of(path) != files[i].Sha256)
                throw new SetupException($"The payload file '{files[i].Path}' is corrupt (its checksum does not match). Download the installer again; nothing was changed.");
            progress?.Report(new InstallProgress("verifying payload", i + 1, files.Count));
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
