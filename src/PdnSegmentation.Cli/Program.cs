using System.Reflection;
using System.Runtime.InteropServices;

namespace PdnSegmentation.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        LoadNativeLibrariesBesideTheProgram(typeof(OpenCvSharp.Cv2).Assembly, typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly);
        return CliApp.Run(args, Console.Out, Console.Error);
    }

    /// <summary>
    /// A published, ahead-of-time compiled pdnseg keeps OpenCV's and ONNX Runtime's native libraries beside the
    /// executable, where the operating system's loader does not look; the JIT-run build finds them through its
    /// deps.json. Each library is loaded from beside the program when it is there, else the default search runs.
    /// </summary>
    private static void LoadNativeLibrariesBesideTheProgram(params Assembly[] assemblies)
    {
        foreach (var assembly in assemblies)
        {
            try
            {
                NativeLibrary.SetDllImportResolver(assembly, (name, _, _) =>
                {
                    foreach (string file in new[] { name, $"lib{name}.so", $"{name}.dll", $"lib{name}.dylib" })
                    {
                        string path = Path.Combine(AppContext.BaseDirectory, file);
                        if (File.Exists(path)) return NativeLibrary.Load(path);
                    }
                    return IntPtr.Zero;
                });
            }
            catch (InvalidOperationException)
            {
                // The package registered its own resolver: it knows where its library is.
            }
        }
    }
}
