namespace PdnSegmentation.Cli.Files;

/// <summary>The bundled sample (samples/lemur/), found from the working folder or the program's folder upwards.</summary>
public static class SampleFiles
{
    public static string Lemur(string file)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "lemur", file);
                if (File.Exists(candidate)) return candidate;
            }
        return Path.Combine("samples", "lemur", file);
    }
}
