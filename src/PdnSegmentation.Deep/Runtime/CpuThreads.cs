namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// How many threads ONNX Runtime's CPU provider should run a model on. Its own default is one per physical core, which
/// it finds reliably on Windows (where hybrid CPUs' efficiency cores are also left out), so there it is kept. On Linux
/// its detection can fail, and then it takes half the logical processors: on a 2-core virtual machine that is one
/// thread, and u2netp took 275 ms instead of 156 ms with two. There the physical cores are counted from the kernel's CPU
/// topology instead, and never more than the processors this process may use (affinity and container limits,
/// which ONNX Runtime's count ignores).
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
