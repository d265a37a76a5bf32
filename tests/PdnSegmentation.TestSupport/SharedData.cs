using Xunit;

namespace PdnSegmentation.TestSupport;

/// <summary>
/// The research datasets live beside the repository in ../shared (or where PDNSEG_SHARED points). They may not be
/// copied into the repo, so tests that read them skip, with the reason, on a fresh clone without them.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Locate();

    public static string? Dataset(string name)
    {
        if (Root is null) return null;
        string path = Path.Combine(Root, "datasets", name);
        return Directory.Exists(path) ? path : null;
    }

    private static string? Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("PDNSEG_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment)) return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PdnSegmentation.sln")))
            {
                string shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(shared) ? shared : null;
            }
        return null;
    }

    /// <summary>The repository root (where PdnSegmentation.sln is).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PdnSegmentation.sln"))) return dir.FullName;
        throw new InvalidOperationException("Tests must run from inside the repository.");
    }
}

/// <summary>A fact that needs a shared dataset; skipped with the reason when it is absent.</summary>
public sealed class DatasetFactAttribute : FactAttribute
{
    public DatasetFactAttribute(string dataset)
    {
        if (SharedData.Dataset(dataset) is null)
            Skip = $"needs ../shared/datasets/{dataset} (research-use data, never in the repo); absent on this checkout";
    }
}

/// <summary>A fact that needs a file under ../shared (e.g. the Paint.NET API listing); skipped with the reason when absent.</summary>
public sealed class SharedFileFactAttribute : FactAttribute
{
    public SharedFileFactAttribute(string relativePath)
    {
        if (SharedData.Root is null || !File.Exists(Path.Combine(SharedData.Root, relativePath)))
            Skip = $"needs ../shared/{relativePath} (not part of the repository); absent on this checkout";
    }
}
