using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// The model installer against a loopback HTTP server serving fixture files: success, a broken-off transfer that the
/// next attempt resumes, a wrong hash, 404, a slow transfer cancelled, a file that is not the right kind of model.
/// Tests never reach the internet.
/// </summary>
public sealed class ModelInstallerTests : IDisposable
{
    private enum Mode { Normal, BreakOffHalfway, Corrupt, Slow }

    private readonly HttpListener _listener = new();
    private readonly string _prefix;
    private readonly string _folder = Directory.CreateTempSubdirectory("pdnseg-install-").FullName;
    private readonly Dictionary<string, byte[]> _files = new();
    private readonly List<string> _rangeRequests = new();
    private Mode _mode = Mode.Normal;
    private readonly HttpClient _http = new();

    public ModelInstallerTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _prefix = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_prefix);
        _listener.Start();
        _ = Task.Run(Serve);
        foreach (var name in new[] { "encoder.onnx", "decoder.onnx" })
            _files[name] = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "SamModels", name));
        _files["selfie.onnx"] = File.ReadAllBytes(Path.Combine(PdnSegmentation.TestSupport.SharedData.RepositoryRoot(), "models", "mediapipe-selfie-segmentation", "selfie_segmentation.onnx"));
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Respond(context));
        }
    }

    private async Task Respond(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            string name = context.Request.Url!.AbsolutePath.Trim('/');
            if (!_files.TryGetValue(name, out var data)) { response.StatusCode = 404; response.Close(); return; }
            if (_mode == Mode.Corrupt) { data = (byte[])data.Clone(); data[data.Length / 2] ^= 0x5A; }
            long start = 0;
            string? range = context.Request.Headers["Range"];
            if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                lock (_rangeRequests) _rangeRequests.Add(range);
                start = long.Parse(range[6..].TrimEnd('-'));
                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {start}-{data.Length - 1}/{data.Length}");
            }
            response.ContentLength64 = data.Length - start;
            var body = response.OutputStream;
            int end = _mode == Mode.BreakOffHalfway ? data.Length / 2 : data.Length;
            for (long offset = start; offset < end; offset += 256)
            {
                int count = (int)Math.Min(256, end - offset);
                await body.WriteAsync(data.AsMemory((int)offset, count));
                await body.FlushAsync();
                if (_mode == Mode.Slow) await Task.Delay(50);
            }
            if (_mode == Mode.BreakOffHalfway) { response.Abort(); return; }
            response.Close();
        }
        catch (Exception)
        {
            try { response.Abort(); } catch (Exception) { }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private DownloadableModel Sam(bool pinned = true, string decoderFile = "decoder.onnx") => new("mobile-test", InstalledModel.SegmentAnythingTask, "test fixture",
    [
        Source("encoder", "encoder.onnx", "encoder.onnx", pinned),
        Source("decoder", "decoder.onnx", decoderFile, pinned),
    ]);

    private ModelSource Source(string role, string fileName, string served, bool pinned) =>
        new(role, fileName, new Uri(_prefix + served), pinned ? _files[served].Length : null, pinned ? Convert.ToHexString(SHA256.HashData(_files[served])).ToLowerInvariant() : null);

    private string Models => Path.Combine(_folder, "models");

    [Fact]
    public async Task InstallsAVerifiedModelThatTheRuntimeOpens()
    {
        var installed = await ModelInstaller.InstallAsync(_http, Sam(), Models);
        Assert.Equal("mobile-test", installed.Name);
        Assert.Equal(["mobile-test"], Directory.GetDirectories(Models).Select(Path.GetFileName));
        using var sam = SegmentAnything.Open(InstalledModel.Discover(Models).Single(), ExecutionDevice.Cpu);
        var image = new ColorImage(64, 48);
        Assert.False(sam.Segment(image, SamPrompt.FromPoints((32, 24, true))).Mask.IsEmpty);
    }

    [Fact]
    public async Task ABrokenOffDownloadIsResumedByTheNextAttempt()
    {
        _mode = Mode.BreakOffHalfway;
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, Sam(), Models));
        Assert.Matches("broke off|truncated", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
        _mode = Mode.Normal;
        await ModelInstaller.InstallAsync(_http, Sam(), Models);
        Assert.Single(InstalledModel.Discover(Models));
        Assert.NotEmpty(_rangeRequests); // the second attempt asked only for the rest
    }

    [Fact]
    public async Task AFileWithTheWrongHashIsRefusedAndNothingIsInstalled()
    {
        _mode = Mode.Corrupt;
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, Sam(), Models));
        Assert.Contains("does not match its published SHA-256", error.Message);
        Assert.Contains("encoder.onnx", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
    }

    /// <summary>The SAM fixture pinned only by its publisher's MD5 (as rembg's release assets are), no size, no SHA-256.</summary>
    private DownloadableModel Md5Pinned() => Sam(pinned: false) with
    {
        Files = Sam(pinned: false).Files.Select(f => f with { Md5 = Convert.ToHexString(MD5.HashData(_files[f.FileName])).ToLowerInvariant() }).ToList(),
    };

    [Fact]
    public async Task ADownloadThatIsNotThePublishersFileByItsMd5IsRefusedAndNothingIsInstalled()
    {
        _mode = Mode.Corrupt; // same size, one byte changed: only the hash can tell
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, Md5Pinned(), Models));
        Assert.Contains("does not match its publisher's MD5", error.Message);
        Assert.Contains("encoder.onnx", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
        Assert.Empty(Directory.GetFiles(Models, "*.part", SearchOption.AllDirectories)); // not kept for a resume that would repeat it
        _mode = Mode.Normal;
        var installed = await ModelInstaller.InstallAsync(_http, Md5Pinned(), Models);
        Assert.Equal(ModelFile.Sha256Of(Path.Combine(installed.Folder, "encoder.onnx")), Convert.ToHexString(SHA256.HashData(_files["encoder.onnx"])).ToLowerInvariant());
    }

    [Fact]
    public async Task ALocalFileWithAPinnedMd5MustMatchIt()
    {
        string other = Path.Combine(_folder, "other.onnx");
        File.WriteAllBytes(other, _files["selfie.onnx"]);
        var local = new Dictionary<string, string> { ["encoder"] = other };
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, Md5Pinned(), Models, local));
        Assert.Contains("does not match its publisher's MD5", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
    }

    [Fact]
    public void TheCataloguesPinsApplyToItsOwnDownloadsNotToAFileOrAddressTheUserGives()
    {
        var catalogue = ModelCatalog.Load(Path.Combine(PdnSegmentation.TestSupport.SharedData.RepositoryRoot(), "models"));
        // Every rembg release asset carries the MD5 rembg's own session code states, and says where it came from.
        var rembg = catalogue.SelectMany(e => e.Files.Select(f => (e, f))).Where(x => x.f.Url?.StartsWith("https://github.com/danielgatis/rembg/releases/", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(["birefnet-general", "isnet-general-use", "u2net"], rembg.Select(x => x.e.Name).Order());
        Assert.All(rembg, x => Assert.Matches("^[0-9a-f]{32}$", x.f.Md5));
        Assert.All(rembg, x => Assert.Contains("danielgatis/rembg", x.f.PinnedFrom));
        // The bundled u2netp is the same release asset: rembg's MD5 for it is the file we ship.
        var u2netp = catalogue.Single(e => e.Name == "u2netp").Files.Single();
        Assert.Equal(u2netp.Md5, ModelFile.Md5Of(Path.Combine(PdnSegmentation.TestSupport.SharedData.RepositoryRoot(), "models", "u2netp", u2netp.FileName)));

        var isnet = catalogue.Single(e => e.Name == "isnet-general-use");
        var none = new Dictionary<string, string>();
        Assert.Equal(isnet.Files[0].Md5, ModelCatalog.ToDownload(isnet, none, none).Files[0].Md5);
        Assert.Null(ModelCatalog.ToDownload(isnet, none, new Dictionary<string, string> { ["model"] = "/my/export.onnx" }).Files[0].Md5);
        Assert.Null(ModelCatalog.ToDownload(isnet, new Dictionary<string, string> { ["model"] = "https://example.org/isnet.onnx" }, none).Files[0].Md5);
    }

    [Fact]
    public async Task AMissingFileOnTheServerIsReportedWithItsStatus()
    {
        var model = Sam() with { Files = [new ModelSource("encoder", "encoder.onnx", new Uri(_prefix + "nowhere.onnx"), null, null)] };
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, model, Models));
        Assert.Contains("HTTP 404", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
    }

    [Fact]
    public async Task ACancelledSlowDownloadInstallsNothing()
    {
        _mode = Mode.Slow;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelInstaller.InstallAsync(_http, Sam(), Models, cancellationToken: cancel.Token));
        Assert.Empty(InstalledModel.Discover(Models));
        Assert.False(Directory.Exists(Path.Combine(Models, "mobile-test")));
    }

    [Fact]
    public async Task AnUnpinnedFileThatIsNotASamDecoderIsRefused()
    {
        var error = await Assert.ThrowsAsync<ModelException>(() => ModelInstaller.InstallAsync(_http, Sam(pinned: false, decoderFile: "selfie.onnx"), Models));
        Assert.Contains("not a Segment Anything decoder", error.Message);
        Assert.Empty(InstalledModel.Discover(Models));
    }

    [Fact]
    public async Task RemovingTakesOnlyThatModel()
    {
        await ModelInstaller.InstallAsync(_http, Sam(), Models);
        string other = Path.Combine(Models, "keep-me.txt");
        File.WriteAllText(other, "user file");
        ModelInstaller.Remove(Models, "mobile-test");
        Assert.Empty(InstalledModel.Discover(Models));
        Assert.True(File.Exists(other));
        Assert.Contains("No model named", Assert.Throws<ModelException>(() => ModelInstaller.Remove(Models, "mobile-test")).Message);
    }
}
