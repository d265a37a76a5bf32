namespace PdnSegmentation.Setup;

public enum PaintDotNetKind { Classic, Portable, Store }

/// <param name="EffectsFolder">Where plugins go (the plugin's own folder is created inside it).</param>
/// <param name="Version">Paint.NET's version; null for the Store version (its files are not readable; the Store keeps it current).</param>
public sealed record PaintDotNetInstall(PaintDotNetKind Kind, string InstallFolder, string EffectsFolder, Version? Version);

/// <summary>What the locator needs from the machine, injected so detection is testable off Windows.</summary>
public interface IMachine
{
    /// <summary>Paint.NET's install directory from the registry (HKLM\SOFTWARE\paint.net, TARGETDIR), or null.</summary>
    string? RegistryInstallFolder();
    string ProgramFiles();
    string Documents();
    /// <summary>The Paint.NET version in <paramref name="installFolder"/> (from PaintDotNet.dll's file version), or null if none.</summary>
    Version? PaintDotNetVersion(string installFolder);
}

/// <summary>
/// Finds Paint.NET: the classic install (registry, then the default Program Files folder), the Microsoft Store version
/// (per-user Documents\paint.net App Files\Effects) and a portable copy the user names. Versions older than 5.1 are
/// refused with a clear message.
/// </summary>
public sealed class PaintDotNetLocator(IMachine machine)
{
    public static readonly Version Minimum = new(5, 1);

    public IReadOnlyList<PaintDotNetInstall> Find(string? portableFolder = null)
    {
        var found = new List<PaintDotNetInstall>();
        if (portableFolder is not null)
        {
            found.Add(Describe(PaintDotNetKind.Portable, portableFolder, Path.Combine(portableFolder, "Effects"))
                      ?? throw new SetupException($"'{portableFolder}' does not contain Paint.NET (no PaintDotNet.dll): name the folder that holds paintdotnet.exe."));
            return found;
        }
        foreach (var folder in new[] { machine.RegistryInstallFolder(), Path.Combine(machine.ProgramFiles(), "paint.net") }.OfType<string>().Distinct())
            if (Describe(PaintDotNetKind.Classic, folder, Path.Combine(folder, "Effects")) is { } classic) { found.Add(classic); break; }
        string storeFiles = Path.Combine(machine.Documents(), "paint.net App Files");
        if (Directory.Exists(storeFiles))
            found.Add(new PaintDotNetInstall(PaintDotNetKind.Store, storeFiles, Path.Combine(storeFiles, "Effects"), null));
        return found;
    }

    private PaintDotNetInstall? Describe(PaintDotNetKind kind, string folder, string effects)
    {
        if (!Directory.Exists(folder) || machine.PaintDotNetVersion(folder) is not { } version) return null;
        if (version < Minimum)
            throw new SetupException($"Paint.NET {version} is installed in '{folder}', but PdnSegmentation needs Paint.NET {Minimum} or newer. Update Paint.NET first.");
        return new PaintDotNetInstall(kind, folder, effects, version);
    }
}
