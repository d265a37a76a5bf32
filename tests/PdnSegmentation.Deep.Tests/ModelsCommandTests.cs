using static PdnSegmentation.Deep.Tests.Pdnseg;
using PdnSegmentation.Cli;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// <c>pdnseg models</c> with a temporary folder as the user's models folder; the catalogue and bundled models are
/// those beside pdnseg (the repository's models/, copied to the build output).
/// </summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly string _models = Path.Combine(Directory.CreateTempSubdirectory("pdnseg-models-cli-").FullName, "not yet created");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_models)!, recursive: true);


    private Models.ModelStore ModelsStore() => Models.ModelStore.Beside(AppContext.BaseDirectory) with { UserFolder = _models };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "SamModels", name);

    [Fact]
    public void InstallFromLocalFilesThenListVerifyAndRemove()
    {
        var (exit, stdout, stderr) = Run("models", "install", "mobilesam", "--models-dir", _models,
            "--from", $"encoder={Fixture("encoder.onnx")}", "--from", $"decoder={Fixture("decoder.onnx")}");
        Assert.True(exit == 0, stderr);
        Assert.Contains("installed mobilesam", stdout);
        Assert.True(File.Exists(Path.Combine(_models, "mobilesam", "model.json"))); // into the user's folder, created
        var list = Run("models", "list", "--models-dir", _models).Out;
        Assert.Matches(@"mobilesam\s+segment-anything\s+installed", list);
        Assert.Matches(@"u2netp\s+subject\s+bundled", list);
        Assert.Contains("Select Subject: people (portraits).", list);
        Assert.Matches(@"vitmatte-small\s+matting\s+available .*Deep matting: hair-level edges", list);
        Assert.Contains("No Segment Anything model", Assert.Throws<Runtime.ModelException>(() => new Models.ModelStore(_models + "-none", _models + "-none").SegmentAnything(null)).Message);
        Assert.Equal("mobilesam", ModelsStore().SegmentAnything(null).Name);
        var unknown = Assert.Throws<Runtime.ModelException>(() => ModelsStore().SegmentAnything("sam-huge"));
        Assert.Contains("'sam-huge' is not installed", unknown.Message);
        Assert.Contains("(installed: mobilesam)", unknown.Message);
        Assert.Null(ModelsStore().Find("matting", null)); // none installed, none named: the classic matte is used
        Assert.Equal(0, Run("models", "verify", "--models-dir", _models).Exit);

        // A damaged file is reported by name and the exit code says so.
        string decoder = Path.Combine(_models, "mobilesam", "decoder.onnx");
        File.WriteAllBytes(decoder, File.ReadAllBytes(decoder)[..100]);
        var verify = Run("models", "verify", "--models-dir", _models);
        Assert.Equal(1, verify.Exit);
        Assert.Contains("FAILED  mobilesam decoder", verify.Out);
        Assert.Contains("truncated", verify.Out);

        var bundled = Run("models", "remove", "u2netp", "--models-dir", _models);
        Assert.Equal(1, bundled.Exit);
        Assert.Contains("bundled with the program", bundled.Error);
        Assert.Equal(0, Run("models", "remove", "mobilesam", "--models-dir", _models).Exit);
        Assert.Matches(@"mobilesam\s+segment-anything\s+available", Run("models", "list", "--models-dir", _models).Out);
    }

    [Fact]
    public void WithoutAnAddressTheUserIsToldWhereTheWeightsComeFrom()
    {
        var (exit, _, stderr) = Run("models", "install", "mobilesam", "--models-dir", _models);
        Assert.Equal(1, exit);
        Assert.Contains("--from encoder=PATH", stderr);
        Assert.False(Directory.Exists(Path.Combine(_models, "mobilesam")));
    }

    [Fact]
    public void AMalformedFromIsAUsageError()
    {
        var (exit, _, stderr) = Run("models", "install", "mobilesam", "--models-dir", _models, "--from", "encoder");
        Assert.Equal(2, exit);
        Assert.Contains("ROLE=VALUE", stderr);
    }

    [Fact]
    public void TheUsersModelsFolderIsInLocalApplicationDataUnlessOverridden()
    {
        string local = Path.Combine("home", "me", ".local", "share");
        Assert.Equal(Path.Combine(local, "PdnSegmentation", "models"), Models.ModelStore.DefaultUserFolder(_ => null, local));
        Assert.Equal("/portable/models", Models.ModelStore.DefaultUserFolder(v => v == Models.ModelStore.UserFolderVariable ? "/portable/models" : null, local));
    }

    [Fact]
    public void AModelTheUserInstalledShadowsTheBundledOneOfTheSameName()
    {
        string bundledCopy = Path.Combine(Path.GetDirectoryName(_models)!, "bundled");
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "models"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(bundledCopy, Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "models"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var store = new Models.ModelStore(bundledCopy, _models);
        Assert.Equal(["mediapipe-selfie-segmentation", "u2netp"], store.Discover().Select(m => m.Name));
        Assert.All(store.Discover(), m => Assert.True(store.IsBundled(m)));

        // The user's own u2netp (say a newer export) is found first and is not "bundled".
        Directory.CreateDirectory(_models);
        CopyFolder(Path.Combine(bundledCopy, "u2netp"), Path.Combine(_models, "u2netp"));
        var models = store.Discover();
        Assert.Equal(["u2netp", "mediapipe-selfie-segmentation"], models.Select(m => m.Name));
        Assert.Equal(Path.Combine(_models, "u2netp"), models[0].Folder);
        Assert.False(store.IsBundled(models[0]));
        store.Remove("u2netp"); // the user's copy goes; the bundled one stays
        Assert.True(store.IsBundled(store.Discover().Single(m => m.Name == "u2netp")));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
