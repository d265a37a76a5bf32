using PdnSegmentation.Cli;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary><c>pdnseg models</c> on a temporary models folder holding the repository's catalogue.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("pdnseg-models-cli-").FullName;

    public ModelsCommandTests() =>
        File.Copy(Path.Combine(SharedData.RepositoryRoot(), "models", "manifest.json"), Path.Combine(_models, "manifest.json"));

    public void Dispose() => Directory.Delete(_models, recursive: true);

    private static (int Exit, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        return (CliApp.Run(args, stdout, stderr), stdout.ToString(), stderr.ToString());
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "SamModels", name);

    [Fact]
    public void InstallFromLocalFilesThenListVerifyAndRemove()
    {
        var (exit, stdout, stderr) = Run("models", "install", "mobilesam", "--models-dir", _models,
            "--from", $"encoder={Fixture("encoder.onnx")}", "--from", $"decoder={Fixture("decoder.onnx")}");
        Assert.True(exit == 0, stderr);
        Assert.Contains("installed mobilesam", stdout);
        Assert.Matches(@"mobilesam\s+segment-anything\s+installed", Run("models", "list", "--models-dir", _models).Out);
        Assert.Equal(0, Run("models", "verify", "--models-dir", _models).Exit);

        // A damaged file is reported by name and the exit code says so.
        string decoder = Path.Combine(_models, "mobilesam", "decoder.onnx");
        File.WriteAllBytes(decoder, File.ReadAllBytes(decoder)[..100]);
        var verify = Run("models", "verify", "--models-dir", _models);
        Assert.Equal(1, verify.Exit);
        Assert.Contains("FAILED  mobilesam decoder", verify.Out);
        Assert.Contains("truncated", verify.Out);

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
}
