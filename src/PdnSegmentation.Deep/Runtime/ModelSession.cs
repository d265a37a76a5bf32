using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// An ONNX Runtime session on the chosen device. Auto and DirectML try the DirectML execution provider first (the
/// Windows build ships the DirectML package and its DirectML.dll) and fall back to the CPU on any failure, keeping the
/// reason so hosts can show which device ran and why. The CPU package used elsewhere has the same managed API, so the
/// DirectML path compiles everywhere and fails cleanly where DirectML is absent.
/// </summary>
public sealed class ModelSession : IDisposable
{
    public InferenceSession Session { get; }
    public DeviceReport Device { get; }

    /// <summary>True once the model has run on its device (a real run or <see cref="WarmUp"/>).</summary>
    public bool IsWarm { get; private set; }

    /// <summary>
    /// Whether the first run would pay a one-off cost worth announcing as a separate step: DirectML compiles its shaders
    /// on the first run (seconds on some GPUs, which looks like a hang); the CPU provider's first run costs about what
    /// any run costs, so there is nothing to warm there.
    /// </summary>
    public bool NeedsWarmUp => !IsWarm && Device.Device != CpuDevice;

    internal const string CpuDevice = "CPU";

    private ModelSession(InferenceSession session, DeviceReport device)
    {
        Session = session;
        Device = device;
    }

    public static ModelSession Open(ModelFile file, ExecutionDevice device)
    {
        file.Verify();
        string? fallback = null;
        // Auto tries DirectML only where it can exist; an explicit DirectML request is always tried (and its failure reported).
        if (device == ExecutionDevice.DirectML || (device == ExecutionDevice.Auto && OperatingSystem.IsWindows()))
        {
            var options = new SessionOptions();
            try
            {
                options.AppendExecutionProvider_DML(0);
                return new ModelSession(new InferenceSession(file.Path, options), new DeviceReport("DirectML (GPU 0)", null));
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or NotSupportedException or
                                          InvalidOperationException or PlatformNotSupportedException)
            {
                options.Dispose();
                fallback = $"DirectML could not start ({FirstLine(e.Message)}); running on the CPU.";
            }
        }
        try
        {
            var cpu = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            return new ModelSession(new InferenceSession(file.Path, cpu), new DeviceReport(CpuDevice, fallback));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"The model file '{Path.GetFileName(file.Path)}' cannot be loaded by ONNX Runtime ({FirstLine(e.Message)}). Reinstall it.", e);
        }
    }

    /// <summary>
    /// Runs the model, stopping it through RunOptions.Terminate when <paramref name="cancellationToken"/> fires (ONNX
    /// Runtime then fails the run, which is reported as the cancellation it is).
    /// </summary>
    public IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(IReadOnlyCollection<NamedOnnxValue> inputs, IReadOnlyCollection<string> outputs,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            var results = Session.Run(inputs, outputs, runOptions);
            IsWarm = true;
            return results;
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>
    /// Runs the model once on zeros of <paramref name="shape"/> so that the device's one-off work (DirectML's shader
    /// compilation) happens now, while the host shows that it is preparing the model, rather than inside the first real run.
    /// </summary>
    public void WarmUp(string input, int[] shape, string output, CancellationToken cancellationToken = default)
    {
        using var _ = Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(shape))], [output], cancellationToken);
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    public void Dispose() => Session.Dispose();
}
