using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Deep.Tests;

public class CpuThreadsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pdnseg-cpu-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Cpu(int number, int package, int core)
    {
        var topology = Directory.CreateDirectory(Path.Combine(_root, $"cpu{number}", "topology")).FullName;
        File.WriteAllText(Path.Combine(topology, "physical_package_id"), $"{package}\n");
        File.WriteAllText(Path.Combine(topology, "core_id"), $"{core}\n");
    }

    [Fact]
    public void HyperThreadsCountOncePerCore()
    {
        // Two packages of two cores with two threads each: 8 logical processors, 4 cores (core ids repeat per package).
        for (int i = 0; i < 8; i++) Cpu(i, package: i / 4, core: i % 2);
        Directory.CreateDirectory(Path.Combine(_root, "cpufreq"));
        Directory.CreateDirectory(Path.Combine(_root, "cpuidle"));
        Assert.Equal(4, CpuThreads.ForTopology(_root, usableProcessors: 8));
    }

    [Fact]
    public void OneThreadPerCoreCountsEveryProcessor()
    {
        Cpu(0, 0, 0);
        Cpu(1, 0, 1);
        Assert.Equal(2, CpuThreads.ForTopology(_root, usableProcessors: 2));
    }

    [Fact]
    public void NeverMoreThanTheProcessorsTheProcessMayUse()
    {
        for (int i = 0; i < 64; i++) Cpu(i, 0, i);
        Assert.Equal(2, CpuThreads.ForTopology(_root, usableProcessors: 2));
    }

    [Fact]
    public void UnreadableTopologyFallsBackToTheUsableProcessors()
    {
        Directory.CreateDirectory(Path.Combine(_root, "cpu0")); // offline: no topology
        Assert.Equal(3, CpuThreads.ForTopology(_root, usableProcessors: 3));
        Assert.Equal(3, CpuThreads.ForTopology(Path.Combine(_root, "missing"), usableProcessors: 3));
    }
}
