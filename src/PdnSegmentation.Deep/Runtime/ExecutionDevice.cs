namespace PdnSegmentation.Deep.Runtime;

public enum ExecutionDevice
{
    /// <summary>The GPU through DirectML where it works, else the CPU.</summary>
    Auto,
    /// <summary>The GPU through DirectML (Windows); falls back to the CPU, saying why, when it cannot start.</summary>
    DirectML,
    Cpu,
}

/// <param name="Device">What actually runs the model: "CPU" or "DirectML (GPU 0)".</param>
/// <param name="FallbackReason">Why the requested GPU did not run it, or null.</param>
public sealed record DeviceReport(string Device, string? FallbackReason);
