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

/// <summary>A model runner on a device (Select Subject, Segment Anything): what hosts show and prepare before the first run.</summary>
public interface IDeviceModel
{
    /// <summary>The device that runs the model, and why it fell back to the CPU if it did.</summary>
    DeviceReport Device { get; }

    /// <summary>True until the model has run once on a device whose first run compiles (see <see cref="ModelSession.NeedsWarmUp"/>).</summary>
    bool NeedsWarmUp { get; }

    /// <summary>Runs the model once on an empty input, so hosts can say they are preparing it rather than look hung.</summary>
    void WarmUp(CancellationToken cancellationToken = default);
}
