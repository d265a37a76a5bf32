using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// A run that fails on the GPU is run again on the CPU, which the session keeps, and the device report says so. The
/// GPU here is a session on a model that fails at run time (RuntimeModels/, scripts/make-runtime-test-models.py):
/// DirectML itself cannot run on this machine.
/// </summary>
public class ModelSessionFallbackTests
{
    private static string Model(string name) => Path.Combine(AppContext.BaseDirectory, "RuntimeModels", name + ".onnx");

    private static float[] Run(ModelSession session, float[] x, CancellationToken cancellationToken = default)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [x.Length]))], ["y"], cancellationToken);
        return results[0].AsEnumerable<float>().ToArray();
    }

    private static ModelSession FailingGpu(Action? onFallback = null) =>
        ModelSession.WithCpuFallback(new InferenceSession(Model("fails-at-run")), new DeviceReport("DirectML (GPU 0)", null), () =>
        {
            onFallback?.Invoke();
            return new InferenceSession(Model("doubles"));
        });

    [Fact]
    public void AFailedGpuRunIsRunAgainOnTheCpuWhichTheSessionKeeps()
    {
        int fallbacks = 0;
        using var session = FailingGpu(() => fallbacks++);
        Assert.Equal([2f, 4f, 6f], Run(session, [1, 2, 3]));
        Assert.Equal("CPU", session.Device.Device);
        Assert.Contains("DirectML (GPU 0) failed while running the model", session.Device.FallbackReason);
        Assert.False(session.NeedsWarmUp);
        Assert.Equal([10f], Run(session, [5]));
        Assert.Equal(1, fallbacks);
    }

    [Fact]
    public void ACpuRunThatFailsIsReportedAsItIs()
    {
        using var session = ModelSession.Open(ModelFile.Of(Model("fails-at-run")), ExecutionDevice.Cpu);
        Assert.Throws<OnnxRuntimeException>(() => Run(session, [1, 2, 3]));
        Assert.Equal("CPU", session.Device.Device);
    }
}

public class SessionOptionsTests
{
    [Fact]
    public void DirectMLSessionsHaveNoMemoryPatternAndRunSequentially()
    {
        // DirectML refuses a session with either on (ONNX Runtime's DirectML provider documentation); memory-pattern planning is on by default.
        using var options = ModelSession.DirectMLOptions();
        Assert.False(options.EnableMemoryPattern);
        Assert.Equal(Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_SEQUENTIAL, options.ExecutionMode);
    }

    [Fact]
    public void CpuSessionsUseTheGivenThreadsOrOnePerPhysicalCore()
    {
        using var shared = ModelSession.CpuOptions(1);
        Assert.Equal(1, shared.IntraOpNumThreads);
        Assert.False(shared.EnableMemoryPattern);
        using var whole = ModelSession.CpuOptions(0);
        Assert.Equal(CpuThreads.IntraOp, whole.IntraOpNumThreads);
        if (!OperatingSystem.IsWindows()) Assert.InRange(whole.IntraOpNumThreads, 1, Environment.ProcessorCount);
    }
}
