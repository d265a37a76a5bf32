using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Deep.Tests;

/// <summary>Model descriptors parsed once per distinct text: reused while unchanged, never served stale.</summary>
public sealed class InstalledModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-descriptor-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void WriteDescriptor(string name, DateTime writeTime)
    {
        string path = Path.Combine(_folder, "model.json");
        File.WriteAllText(path, $$"""{ "name": "{{name}}", "task": "subject", "files": { "model": { "path": "m.onnx", "size": 1, "sha256": "00" } } }""");
        File.SetLastWriteTimeUtc(path, writeTime);
    }

    [Fact]
    public void AnUnchangedDescriptorIsParsedOnceAndAnEditedOneAgainEvenWithTheSameSizeAndTime()
    {
        var time = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        WriteDescriptor("alpha", time);
        var first = InstalledModel.Load(_folder);
        Assert.Same(first, InstalledModel.Load(_folder));
        WriteDescriptor("gamma", time); // same length, same write time: only the text tells
        var edited = InstalledModel.Load(_folder);
        Assert.Equal("gamma", edited.Name);
        Assert.Equal(Path.Combine(_folder, "m.onnx"), edited.FileFor("model").Path);
    }

    [Fact]
    public void ABrokenDescriptorIsReportedEveryTimeAndItsRepairIsSeen()
    {
        string path = Path.Combine(_folder, "model.json");
        File.WriteAllText(path, "{ \"name\": ");
        for (int attempt = 0; attempt < 2; attempt++)
            Assert.Contains("cannot be read", Assert.Throws<ModelException>(() => InstalledModel.Load(_folder)).Message);
        WriteDescriptor("repaired", DateTime.UtcNow);
        Assert.Equal("repaired", InstalledModel.Load(_folder).Name);
    }
}
