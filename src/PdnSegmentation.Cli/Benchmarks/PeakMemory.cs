namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// Peak resident memory of this process. On Linux the kernel's high-water mark (VmHWM) can be reset through
/// /proc/self/clear_refs, which lets one process measure several runs one after another; elsewhere the
/// process-lifetime peak is reported.
/// </summary>
public static class PeakMemory
{
    /// <summary>Collects garbage and restarts the high-water mark; false where the OS cannot.</summary>
    public static bool Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Peak resident bytes since the last reset (or process start).</summary>
    public static long Peak()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
