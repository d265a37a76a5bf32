using PdnSegmentation.Cli;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Tests;

/// <summary>Runs pdnseg in-process in a fresh temporary folder and captures its streams.</summary>
public sealed class CliHarness : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("pdnseg-cli-").FullName;

    public string PathOf(string name) => Path.Combine(Folder, name);

    public (int Exit, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public string WriteImage(string name, ColorImage image)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, ImageFiles.EncodeColor(image, path));
        return path;
    }

    public string WriteMask(string name, Mask mask)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, ImageFiles.EncodeGray(mask.Width, mask.Height, mask.ToBytes(), path));
        return path;
    }

    /// <summary>Every file in the folder, so a test can see that nothing (not even a temp file) was left.</summary>
    public string[] Files() => Directory.GetFiles(Folder).Select(Path.GetFileName).OrderBy(n => n).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
