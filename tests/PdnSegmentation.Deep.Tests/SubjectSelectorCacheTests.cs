using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>The plugin's shared open models: one session per model and device, closed when idle, over capacity or changed on disk.</summary>
public sealed class SubjectSelectorCacheTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("pdnseg-cache-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static InstalledModel Fixture(string family) => InstalledModel.Load(SubjectContractTests.Fixture(family));

    /// <summary>A fixture's folder copied to <paramref name="name"/> in the test's temporary folder.</summary>
    private string CopyOfFixture(string family, string name)
    {
        string folder = Path.Combine(_temp, name);
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(SubjectContractTests.Fixture(family)))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    private static readonly ColorImage Photo = new(40, 30);

    /// <summary>Whether the selector can still run (a closed one's session is disposed).</summary>
    private static bool IsOpen(SubjectSelector selector)
    {
        try
        {
            selector.ModelMap(Photo);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    [Fact]
    public void DialogsAskingForTheSameModelShareOneOpenSession()
    {
        using var cache = new SubjectSelectorCache();
        SubjectSelector first;
        using (var lease = cache.Rent(Fixture("nchw320"), ExecutionDevice.Cpu)) first = lease.Selector;
        using (var again = cache.Rent(Fixture("nchw320"), ExecutionDevice.Cpu)) Assert.Same(first, again.Selector);
        using (var other = cache.Rent(Fixture("nhwc256"), ExecutionDevice.Cpu)) Assert.NotSame(first, other.Selector);
        Assert.Equal(2, cache.OpenModels);
        Assert.True(IsOpen(first));
    }

    [Fact]
    public void BeyondCapacityTheLeastRecentlyUsedClosesOnceNobodyHoldsIt()
    {
        using var cache = new SubjectSelectorCache(capacity: 1);
        var held = cache.Rent(Fixture("nchw320"), ExecutionDevice.Cpu);
        using (cache.Rent(Fixture("nhwc256"), ExecutionDevice.Cpu))
        {
            Assert.Equal(1, cache.OpenModels);
            Assert.True(IsOpen(held.Selector)); // still in use by its dialog: not closed under it
        }
        var selector = held.Selector;
        held.Dispose();
        held.Dispose(); // returned once
        Assert.False(IsOpen(selector));
        using var reopened = cache.Rent(Fixture("nchw320"), ExecutionDevice.Cpu);
        Assert.NotSame(selector, reopened.Selector);
        Assert.True(IsOpen(reopened.Selector));
        Assert.Throws<ObjectDisposedException>(() => held.Selector);
    }

    [Fact]
    public void AModelIdleForItsLifetimeIsClosedAndOneInUseIsNot()
    {
        var clock = new Clock();
        using var cache = new SubjectSelectorCache(capacity: 3, idleLifetime: TimeSpan.FromMinutes(10), workingMemoryLifetime: TimeSpan.FromMinutes(2), time: clock);
        SubjectSelector small, large;
        using (var lease = cache.Rent(Fixture("nchw320"), ExecutionDevice.Cpu)) small = lease.Selector; // keeps its working memory
        using (var lease = cache.Rent(Fixture("nchw1024"), ExecutionDevice.Cpu)) large = lease.Selector; // gives it back after each use
        using var busy = cache.Rent(Fixture("nhwc256"), ExecutionDevice.Cpu);
        Assert.False(small.ReleasesWorkingMemory);
        Assert.True(large.ReleasesWorkingMemory);
        clock.Now += TimeSpan.FromMinutes(1.5);
        cache.Trim();
        Assert.True(IsOpen(small));
        clock.Now += TimeSpan.FromMinutes(1);
        cache.Trim();
        Assert.False(IsOpen(small));
        Assert.True(IsOpen(large));
        clock.Now += TimeSpan.FromMinutes(7);
        cache.Trim();
        Assert.True(IsOpen(large));
        clock.Now += TimeSpan.FromMinutes(1);
        cache.Trim();
        Assert.False(IsOpen(large));
        Assert.True(IsOpen(busy.Selector)); // in use for 10.5 minutes: not closed under its dialog
        Assert.Equal(1, cache.OpenModels);
    }

    [Fact]
    public void AModelFileChangedOnDiskIsOpenedAfresh()
    {
        string folder = CopyOfFixture("nchw320", "model");
        using var cache = new SubjectSelectorCache();
        SubjectSelector before;
        using (var lease = cache.Rent(InstalledModel.Load(folder), ExecutionDevice.Cpu)) before = lease.Selector;
        File.SetLastWriteTimeUtc(Path.Combine(folder, "model.onnx"), DateTime.UtcNow.AddMinutes(1)); // reinstalled
        using var after = cache.Rent(InstalledModel.Load(folder), ExecutionDevice.Cpu);
        Assert.NotSame(before, after.Selector);
    }

    [Fact]
    public void AModelThatCannotBeOpenedIsNotCached()
    {
        string folder = CopyOfFixture("nchw320", "corrupt");
        var bytes = File.ReadAllBytes(Path.Combine(folder, "model.onnx"));
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), bytes);
        using var cache = new SubjectSelectorCache();
        var error = Assert.Throws<ModelException>(() => cache.Rent(InstalledModel.Load(folder), ExecutionDevice.Cpu));
        Assert.Contains("corrupt", error.Message);
        Assert.Equal(0, cache.OpenModels);
    }

    [Fact]
    public void AnOpenModelAnswersAlikeWhetherItKeepsItsWorkingMemoryOrGivesItBack()
    {
        var photo = new ColorImage(203, 131);
        for (int y = 0; y < photo.Height; y++)
            for (int x = 0; x < photo.Width; x++) photo[x, y] = new Bgra32((byte)(x + y), (byte)(3 * x), (byte)(5 * y), 255);
        // One run and mirror-averaged, keeping the working memory; a 1024² frame gives it back after each use.
        foreach (string family in new[] { "nchw320", "shifted-mirror", "nchw1024" })
        {
            using var cache = new SubjectSelectorCache();
            using var lease = cache.Rent(Fixture(family), ExecutionDevice.Cpu);
            Assert.Equal(family == "nchw1024", lease.Selector.ReleasesWorkingMemory);
            using var plain = SubjectSelector.Open(Fixture(family), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
            Assert.Equal(plain.ModelMap(photo).Map, lease.Selector.ModelMap(photo).Map);
            Assert.Equal(plain.ModelMap(photo).Map, lease.Selector.ModelMap(photo).Map); // after the buffers were kept or given back
        }
    }

    [Fact]
    public void ClickEnginesBorrowTheSharedModelAndGiveItBackOnDispose()
    {
        var store = new ModelStore(Path.Combine(SharedData.RepositoryRoot(), "models"), _temp);
        using var cache = new SubjectSelectorCache();
        var first = ClickModel.Open(store, "u2netp", ExecutionDevice.Cpu, shared: cache);
        using var second = ClickModel.Open(store, "u2netp", ExecutionDevice.Cpu, shared: cache);
        Assert.Same(first.DeviceModel, second.DeviceModel);
        Assert.Equal(1, cache.OpenModels);
        first.Dispose();
        Assert.True(IsOpen((SubjectSelector)second.DeviceModel!)); // returned, not closed
        using var own = ClickModel.Open(store, "u2netp", ExecutionDevice.Cpu);
        Assert.NotSame(second.DeviceModel, own.DeviceModel);
    }
}
