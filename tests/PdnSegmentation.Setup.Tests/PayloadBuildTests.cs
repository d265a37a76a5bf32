using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Setup.Tests;

/// <summary>
/// The installer's build step end to end: installer/Payload.proj publishes the plugin (here its facade build) and the
/// setup program, the payload it writes installs with the published program into a portable Paint.NET, and the
/// installed plugin's dependencies resolve from its own folder the way Paint.NET loads plugins.
/// </summary>
public sealed class PayloadBuildTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pdnseg-payload-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Output) Run(string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // No MSBuild server or reusable nodes: nothing may outlive the test and hold the test run open.
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output + error.Result);
    }

    [Fact]
    public void TheBuildStepLaysOutAPayloadThatInstallsAndWhosePluginResolvesItsDependencies()
    {
        string repository = SharedData.RepositoryRoot();
        string setup = Path.Combine(_root, "setup") + Path.DirectorySeparatorChar;
        var build = Run($"msbuild installer/Payload.proj -nologo -nodeReuse:false \"-p:SetupDir={setup}\"", repository);
        Assert.True(build.Exit == 0, build.Output);

        string payload = Path.Combine(setup, "payload");
        var manifest = PayloadManifest.Load(payload);
        Assert.Equal(["mediapipe-selfie-segmentation", "u2netp"], manifest.Models);
        var files = manifest.Files.Select(f => f.Path).ToHashSet();
        string[] expected =
        [
            "PdnSegmentation.dll", "PdnSegmentation.deps.json", "PdnSegmentation.Core.dll", "PdnSegmentation.Deep.dll", "OpenCvSharp.dll",
            "Microsoft.ML.OnnxRuntime.dll", "MathNet.Numerics.dll", NativeName("OpenCvSharpExtern"), NativeName("onnxruntime"),
            "models/manifest.json", "models/u2netp/u2netp.onnx", "models/u2netp/LICENSE",
            "models/mediapipe-selfie-segmentation/selfie_segmentation.onnx", "models/mediapipe-selfie-segmentation/LICENSE",
        ];
        Assert.All(expected, f => Assert.Contains(f, files));
        Assert.DoesNotContain(files, f => f.StartsWith("PaintDotNet.", StringComparison.Ordinal)); // Paint.NET's own assemblies never ship
        Assert.StartsWith(manifest.PluginVersion, AssemblyName.GetAssemblyName(Path.Combine(payload, "PdnSegmentation.dll")).Version!.ToString());
        Assert.All(manifest.Files, f => Assert.Equal(f.Sha256, PayloadManifest.Sha256Of(Path.Combine(payload, f.Path))));

        // Install with the published setup program and its default payload (the folder beside it) into a portable
        // Paint.NET. The real machine reads PaintDotNet.dll's file version: any assembly of version ≥ 5.1 stands in.
        string portable = Path.Combine(_root, "paint.net");
        Directory.CreateDirectory(Path.Combine(portable, "Effects"));
        File.Copy(typeof(object).Assembly.Location, Path.Combine(portable, "PaintDotNet.dll"));
        string program = Path.Combine(setup, "pdnseg-setup.dll");
        var install = Run($"\"{program}\" install --paintdotnet \"{portable}\" --models u2netp --yes", _root);
        Assert.True(install.Exit == 0, install.Output);
        var status = Run($"\"{program}\" status --paintdotnet \"{portable}\"", _root);
        Assert.Contains($"PdnSegmentation {manifest.PluginVersion}", status.Output);
        Assert.Contains("models: u2netp, all files intact", status.Output);

        // Paint.NET loads each plugin in its own load context resolved through the plugin's .deps.json.
        string installed = Path.Combine(portable, "Effects", "PdnSegmentation");
        var resolver = new AssemblyDependencyResolver(Path.Combine(installed, "PdnSegmentation.dll"));
        foreach (var assembly in new[] { "PdnSegmentation.Core", "PdnSegmentation.Deep", "OpenCvSharp", "Microsoft.ML.OnnxRuntime" })
            Assert.StartsWith(installed, resolver.ResolveAssemblyToPath(new AssemblyName(assembly)));
        foreach (var native in new[] { "OpenCvSharpExtern", "onnxruntime" })
            Assert.StartsWith(installed, resolver.ResolveUnmanagedDllToPath(native));
        var context = new AssemblyLoadContext("plugin", isCollectible: true);
        try
        {
            var plugin = context.LoadFromAssemblyPath(Path.Combine(installed, "PdnSegmentation.dll"));
            Assert.Contains(plugin.GetReferencedAssemblies(), a => a.Name == "PdnSegmentation.Core");
        }
        finally
        {
            context.Unload();
        }
    }

    private static string NativeName(string library) =>
        OperatingSystem.IsWindows() ? library + ".dll" : OperatingSystem.IsMacOS() ? $"lib{library}.dylib" : $"lib{library}.so";
}
