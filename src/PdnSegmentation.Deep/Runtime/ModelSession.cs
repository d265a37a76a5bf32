using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// An ONNX Runtime session on the chosen device. Auto and DirectML try the DirectML execution provider first (the
/// Windows build ships the DirectML package and its DirectML.dll) and fall back to the CPU on any failure, keeping the
/// reason so hosts can show which device ran and why. A run that fails on the GPU (a driver reset, GPU memory, an
/// operator the provider mishandles) is run again on the CPU, which the session then keeps. The CPU package used
/// elsewhere has the same managed API, so the DirectML path compiles everywhere and fails cleanly where DirectML is absent.
/// </summary>
public sealed class ModelSession : IDisposable
{
    public InferenceSession Session { get; private set; }
    public DeviceReport Device { get; private set; }

    /// <summary>True once the model has run on its device (a real run or <see cref="WarmUp"/>).</summary>
    public bool IsWarm { get; private set; }

    /// <summary>
    /// Whether the first run would pay a one-off cost worth announcing as a separate step: DirectML compiles its shaders
    /// on the first run (seconds on some GPUs, which looks like a hang); the CPU provider's first run costs about what
    /// any run costs, so there is nothing to warm there.
    /// </summary>
    public bool NeedsWarmUp => !IsWarm && Device.Device != CpuDevice;

    internal const string CpuDevice = "CPU";

    // A DirectML session takes one Run at a time (its documentation: no parallel execution, so no concurrent calls to Run
    // on one session); batches run photos side by side on one shared session, so its runs queue here. CPU sessions
    // take concurrent runs.
    private object? _runGate;

    // The CPU session to switch to when a run on the GPU fails; null on the CPU, and once switched.
    private Func<InferenceSession>? _cpuFallback;

    private ModelSession(InferenceSession session, DeviceReport device)
    {
        Session = session;
        Device = device;
    }

    /// <param name="cpuThreads">Threads one run may use on the CPU; 0 = one per physical core (<see cref="CpuThreads"/>).
    /// A host running several photos at once gives each its share of the cores.</param>
    public static ModelSession Open(ModelFile file, ExecutionDevice device, int cpuThreads = 0)
    {
        file.Verify();
        string? fallback = null;
        // Auto tries DirectML only where it can exist; an explicit DirectML request is always tried (and its failure reported).
        if (device == ExecutionDevice.DirectML || (device == ExecutionDevice.Auto && OperatingSystem.IsWindows()))
        {
            using var options = DirectMLOptions();
            try
            {
                options.AppendExecutionProvider_DML(0);
                return WithCpuFallback(new InferenceSession(file.Path, options), new DeviceReport("DirectML (GPU 0)", null), () => OpenCpu(file, cpuThreads));
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or NotSupportedException or
                                          InvalidOperationException or PlatformNotSupportedException)
            {
                fallback = $"DirectML could not start ({FirstLine(e.Message)}); running on the CPU.";
            }
        }
        return new ModelSession(OpenCpu(file, cpuThreads), new DeviceReport(CpuDevice, fallback));
    }

    private static InferenceSession OpenCpu(ModelFile file, int cpuThreads)
    {
        try
        {
            using var cpu = CpuOptions(cpuThreads);
            return new InferenceSession(file.Path, cpu);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"The model file '{Path.GetFileName(file.Path)}' cannot be loaded by ONNX Runtime ({FirstLine(e.Message)}). Reinstall it.", e);
        }
    }

    /// <summary>A session on a device other than the CPU: one run at a time, switching to <paramref name="cpuFallback"/> when a run fails.</summary>
    internal static ModelSession WithCpuFallback(InferenceSession session, DeviceReport device, Func<InferenceSession> cpuFallback) =>
        new(session, device) { _runGate = new object(), _cpuFallback = cpuFallback };

    /// <summary>
    /// The DirectML provider refuses sessions with memory-pattern planning or parallel execution (its documentation's
    /// "Configuration Options": "these options must be disabled or an error will be returned"). Memory-pattern planning
    /// is on by default; sequential execution is the default already and is set so that it stays.
    /// </summary>
    internal static SessionOptions DirectMLOptions() => new() { EnableMemoryPattern = false, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };

    internal static SessionOptions CpuOptions(int cpuThreads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = cpuThreads > 0 ? cpuThreads : CpuThreads.IntraOp,
            // Memory-pattern planning traces the first run's allocations and lays them out for the next: u2netp's first two
            // runs took 612 and 471 ms with it, 609 and 151 ms without, and later runs 141–148 ms either way. Select
            // Subject runs a new session twice (the photo and its mirror image), so the planning never paid off.
            EnableMemoryPattern = false,
        };
        // A run's helper threads sleep as soon as it ends instead of spinning: the engine's own parallel work (guided
        // upsampling, the graph cut) follows at once and needs the cores. u2netp with two threads on the GrabCut set,
        // mirror-averaged, per photo: 346–349 ms without spinning, 349–374 ms with it.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>
    /// Runs the model, stopping it through RunOptions.Terminate when <paramref name="cancellationToken"/> fires (ONNX
    /// Runtime then fails the run, which is reported as the cancellation it is).
    /// </summary>
    /// <param name="releaseWorkingMemory">After the run, give the CPU arena's activation buffers back, so that a session
    /// kept open between uses holds its weights only (a process with u2netp open: 395–419 MB resident without, 200–211 MB
    /// with). The next run allocates them again (~90 ms for u2netp on two cores), so callers release after the last run
    /// of a burst.</param>
    public IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(IReadOnlyCollection<NamedOnnxValue> inputs, IReadOnlyCollection<string> outputs,
        CancellationToken cancellationToken, bool releaseWorkingMemory = false)
    {
        // ONNX Runtime does not check: a run on a disposed session would reach native code with a freed handle.
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        if (releaseWorkingMemory) runOptions.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results;
            if (_runGate is null) results = Session.Run(inputs, outputs, runOptions);
            else lock (_runGate) results = RunOrFallBack(inputs, outputs, runOptions, cancellationToken);
            IsWarm = true;
            return results;
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>A run on the GPU; if it fails (and was not cancelled), the session moves to the CPU, says why, and runs there.</summary>
    private IDisposableReadOnlyCollection<DisposableNamedOnnxValue> RunOrFallBack(IReadOnlyCollection<NamedOnnxValue> inputs,
        IReadOnlyCollection<string> outputs, RunOptions runOptions, CancellationToken cancellationToken)
    {
        try
        {
            return Session.Run(inputs, outputs, runOptions);
        }
        catch (OnnxRuntimeException e) when (_cpuFallback is { } openCpu && !cancellationToken.IsCancellationRequested)
        {
            var failed = Session;
            Session = openCpu();
            _cpuFallback = null;
            Device = new DeviceReport(CpuDevice, $"{Device.Device} failed while running the model ({FirstLine(e.Message)}); running on the CPU.");
            failed.Dispose();
            return Session.Run(inputs, outputs, runOptions);
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

    private bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        Session.Dispose();
    }
}
