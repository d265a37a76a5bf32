using System.Diagnostics;
using PdnSegmentation.Setup;

namespace PdnSegmentation.Setup.Console;

/// <summary>The machine as it is: Paint.NET's registry key (Windows), special folders, PaintDotNet.dll's file version.</summary>
internal sealed class RealMachine : IMachine
{
    public string? RegistryInstallFolder()
    {
        if (!OperatingSystem.IsWindows()) return null;
        using var key = Microsoft.Win32.Registry.LocalMachine.OpenSubKey(@"SOFTWARE\paint.net");
        return key?.GetValue("TARGETDIR") as string;
    }

    public string ProgramFiles() => Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles);
    public string Documents() => Environment.GetFolderPath(Environment.SpecialFolder.MyDocuments);

    public Version? PaintDotNetVersion(string installFolder)
    {
        string dll = Path.Combine(installFolder, "PaintDotNet.dll");
        if (!File.Exists(dll)) return null;
        var info = FileVersionInfo.GetVersionInfo(dll);
        return new Version(info.FileMajorPart, info.FileMinorPart, info.FileBuildPart, info.FilePrivatePart);
    }
}
