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
        string path = Model("fails-at-run");
        using var stream = File.OpenRead(path);
        var file = new ModelFile(path, stream.Length, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream)));
        using var session = ModelSession.Open(file, ExecutionDevice.Cpu);
        Assert.Throws<OnnxRuntimeException>(() => Run(session, [1, 2, 3]));
        Assert.Equal("CPU", session.Device.Device);
    }
}
