namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// How many threads ONNX Runtime's CPU provider should run a model on. Its own default is one per physical core; on
/// Windows it counts them through the Windows API, so there its default is kept. On Linux its count can fail, and then
/// it takes half the logical processors: on this 2-core virtual machine that is one thread, and u2netp took 275 ms
/// instead of 156 ms with two. There the physical cores are counted from the kernel's CPU topology instead, never more
/// than the processors this process may use (Environment.ProcessorCount, which follows affinity and container limits).
/// </summary>
public static class CpuThreads
{
    private static readonly Lazy<int> s_intraOp = new(() => OperatingSystem.IsWindows() ? 0 : ForTopology("/sys/devices/system/cpu", Environment.ProcessorCount));

    /// <summary>The session's intra-op thread count; 0 = ONNX Runtime's own default.</summary>
    public static int IntraOp => s_intraOp.Value;

    /// <summary>
    /// Physical cores (distinct package and core ids of cpu*/topology under <paramref name="cpuRoot"/>), at most
    /// <paramref name="usableProcessors"/>; <paramref name="usableProcessors"/> where the topology cannot be read.
    /// </summary>
    internal static int ForTopology(string cpuRoot, int usableProcessors)
    {
        usableProcessors = Math.Max(1, usableProcessors);
        var cores = new HashSet<(string Package, string Core)>();
        try
        {
            foreach (var cpu in Directory.EnumerateDirectories(cpuRoot, "cpu*"))
            {
                var name = Path.GetFileName(cpu);
                if (name.Length <= 3 || !name[3..].All(char.IsAsciiDigit)) continue; // not cpufreq, cpuidle
                string package = Path.Combine(cpu, "topology", "physical_package_id"), core = Path.Combine(cpu, "topology", "core_id");
                if (!File.Exists(package) || !File.Exists(core)) continue; // offline processors have no topology
                cores.Add((File.ReadAllText(package).Trim(), File.ReadAllText(core).Trim()));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return usableProcessors;
        }
        return cores.Count == 0 ? usableProcessors : Math.Min(cores.Count, usableProcessors);
    }
}
