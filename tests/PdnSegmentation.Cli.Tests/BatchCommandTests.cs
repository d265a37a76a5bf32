using PdnSegmentation.Cli.Batch;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;
using PdnSegmentation.TestSupport;
using Xunit.Abstractions;

namespace PdnSegmentation.Tests;

/// <summary>Many images in one command: the same files as one command per image, failures named, outputs as asked.</summary>
public class BatchCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(_cli.PathOf(name)).FullName;

    /// <summary>Three scenes in photos/, their boxes in boxes.csv, and a broken file among them.</summary>
    private (string Photos, string Rects, SyntheticScene[] Scenes) Photos(bool broken)
    {
        string photos = Folder("photos");
        var scenes = Enumerable.Range(0, 3).Select(i => SyntheticScene.ObjectOnClutter(120 + 20 * i, 100, 10 + i)).ToArray();
        var lines = new List<string> { "name,x,y,w,h" };
        for (int i = 0; i < scenes.Length; i++)
        {
            string path = Path.Combine(photos, $"scene{i}.png");
            File.WriteAllBytes(path, ImageFiles.EncodeColor(scenes[i].Image, path));
            var b = scenes[i].Box;
            lines.Add($"scene{i},{b.X},{b.Y},{b.Width},{b.Height}");
        }
        if (broken)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(photos, "scene0.png"));
            File.WriteAllBytes(Path.Combine(photos, "broken.png"), png[..(png.Length / 2)]);
            lines.Add("broken,5,5,40,40");
        }
        File.WriteAllText(_cli.PathOf("boxes.csv"), string.Join("\n", lines));
        return (photos, _cli.PathOf("boxes.csv"), scenes);
    }

    [Fact]
    public void ABatchWritesWhatOneCommandPerImageWritesAndNamesTheBrokenFile()
    {
        var (photos, rects, scenes) = Photos(broken: true);
        string single = Folder("single");
        for (int i = 0; i < scenes.Length; i++)
        {
            var (code, _, error) = _cli.Run("cut", Path.Combine(photos, $"scene{i}.png"), "--rect", scenes[i].Box.ToString(),
                "-o", Path.Combine(single, $"scene{i}.png"), "--mask-out", Path.Combine(single, $"scene{i}-mask.png"));
            Assert.True(code == 0, error);
        }

        string outDir = Folder("out");
        var (exit, stdout, stderr) = _cli.Run("cut", photos, "--rects", rects, "--out-dir", outDir);
        log.WriteLine(stdout + stderr);
        Assert.Equal(1, exit);
        Assert.Contains("4 images: 3 written, 1 failed", stdout);
        string failure = Assert.Single(stderr.Split('\n'), l => l.Contains("failed:"));
        Assert.Contains("broken.png", failure);
        Assert.Contains("truncated", failure);
        Assert.Equal(4, stderr.Split('\n').Count(l => l.StartsWith('[')));
        foreach (string name in Directory.GetFiles(single).Select(f => Path.GetFileName(f)))
            Assert.Equal(File.ReadAllBytes(Path.Combine(single, name)), File.ReadAllBytes(Path.Combine(outDir, name)));
        Assert.Equal(6, Directory.GetFiles(outDir).Length); // nothing for the broken file, no temporary files
    }

    [DatasetFact("grabcut")]
    public void ABatchOverGrabCutSetImagesWritesTheSingleCommandsFiles()
    {
        string dataset = SharedData.Dataset("grabcut")!;
        var samples = PdnSegmentation.Cli.Benchmarks.SegmentationDataset.Open(dataset).Samples.Take(6).ToList();
        string photos = Folder("photos"), single = Folder("single"), outDir = Folder("out");
        foreach (var s in samples)
        {
            string photo = Path.Combine(photos, Path.GetFileName(s.ImagePath));
            File.Copy(s.ImagePath, photo);
            var one = _cli.Run("cut", photo, "--rect", $"{s.Box.X},{s.Box.Y},{s.Box.Width},{s.Box.Height}",
                "-o", Path.Combine(single, s.Name + ".png"), "--mask-out", Path.Combine(single, s.Name + "-mask.png"));
            Assert.True(one.Exit == 0, one.Error);
        }
        byte[] jpeg = File.ReadAllBytes(samples[0].ImagePath);
        File.WriteAllBytes(Path.Combine(photos, "broken.jpg"), jpeg[..(jpeg.Length * 2 / 3)]);
        var (exit, stdout, stderr) = _cli.Run("cut", photos, "--rects", Path.Combine(dataset, "boxes.csv"), "--out-dir", outDir);
        Assert.Equal(1, exit);
        Assert.Contains("7 images: 6 written, 1 failed", stdout);
        Assert.Contains("broken.jpg: failed:", stderr);
        foreach (string file in Directory.GetFiles(single))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(outDir, Path.GetFileName(file))));
        Assert.Equal(12, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public void SkipExistingResumesAndWriteChoosesTheOutputs()
    {
        var (photos, rects, _) = Photos(broken: false);
        string outDir = Folder("out");
        var first = _cli.Run("cut", Path.Combine(photos, "scene*.png"), "--rects", rects, "--out-dir", outDir, "--write", "mask");
        Assert.True(first.Exit == 0, first.Error);
        Assert.Equal(new[] { "scene0-mask.png", "scene1-mask.png", "scene2-mask.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        File.Delete(Path.Combine(outDir, "scene1-mask.png"));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(outDir, "scene0-mask.png"));
        var again = _cli.Run("cut", photos, "--rects", rects, "--out-dir", outDir, "--write", "mask", "--skip-existing");
        Assert.True(again.Exit == 0, again.Error);
        Assert.Contains("3 images: 1 written, 0 failed, 2 skipped", again.Out);
        Assert.True(File.Exists(Path.Combine(outDir, "scene1-mask.png")));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(outDir, "scene0-mask.png")));
    }

    [Fact]
    public void MatteFindsEachTrimapByNameAndNamesTheImageWithout()
    {
        string photos = Folder("photos"), trimaps = Folder("trimaps"), outDir = Folder("out");
        var scenes = new[] { SyntheticScene.ObjectOnClutter(100, 80, 1), SyntheticScene.ObjectOnClutter(100, 80, 2), SyntheticScene.ObjectOnClutter(100, 80, 4) };
        for (int i = 0; i < scenes.Length; i++)
        {
            string photo = Path.Combine(photos, $"p{i}.jpg");
            File.WriteAllBytes(photo, ImageFileMaker.JpegWithOrientation(scenes[i].Image, ExifOrientation.Normal));
            if (i == 2) continue; // no trimap for p2
            var trimap = PdnSegmentation.Trimaps.TrimapBuilder.FromMask(scenes[i].Truth, new() { BandWidth = 3 });
            string path = Path.Combine(trimaps, $"p{i}.png");
            File.WriteAllBytes(path, ImageFiles.EncodeGray(100, 80, trimap.Labels.ToArray(), path));
        }
        var (exit, stdout, stderr) = _cli.Run("matte", photos, "--trimap-dir", trimaps, "--out-dir", outDir, "--write", "alpha");
        Assert.Equal(1, exit);
        Assert.Contains("3 images: 2 written, 1 failed", stdout);
        Assert.Contains("p2.jpg: failed: no trimap named 'p2'", stderr);
        Assert.Equal(new[] { "p0-alpha.png", "p1-alpha.png" }, Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        // The batch's alpha is the single command's.
        var one = _cli.Run("matte", Path.Combine(photos, "p1.jpg"), "--trimap", Path.Combine(trimaps, "p1.png"), "--alpha-out", _cli.PathOf("p1-alpha.png"));
        Assert.True(one.Exit == 0, one.Error);
        Assert.Equal(File.ReadAllBytes(_cli.PathOf("p1-alpha.png")), File.ReadAllBytes(Path.Combine(outDir, "p1-alpha.png")));
    }

    [Fact]
    public void LazySnapFindsEachScribbleImageByName()
    {
        string photos = Folder("photos"), strokes = Folder("strokes"), outDir = Folder("out");
        var yellow = Bgra32.FromRgb(255, 255, 207);
        var red = Bgra32.FromRgb(219, 0, 0);
        for (int i = 0; i < 2; i++)
        {
            var scene = SyntheticScene.ObjectOnClutter(140, 100, 20 + i);
            var painted = new ColorImage(140, 100);
            painted.Data.Clear();
            var box = scene.Truth.Bounds();
            for (int x = box.X + box.Width / 3; x < box.X + 2 * box.Width / 3; x++) painted[x, box.Y + box.Height / 2] = yellow;
            for (int x = 0; x < 140; x++) { painted[x, 1] = red; painted[x, 98] = red; }
            _cli.WriteImage($"photos/s{i}.png", scene.Image);
            _cli.WriteImage($"strokes/s{i}.png", painted);
        }
        var (exit, stdout, stderr) = _cli.Run("lazysnap", photos, "--scribbles-dir", strokes, "--out-dir", outDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("2 images: 2 written, 0 failed", stdout);
        var one = _cli.Run("lazysnap", Path.Combine(photos, "s1.png"), "--scribbles", Path.Combine(strokes, "s1.png"), "--mask-out", _cli.PathOf("s1-mask.png"));
        Assert.True(one.Exit == 0, one.Error);
        Assert.Equal(File.ReadAllBytes(_cli.PathOf("s1-mask.png")), File.ReadAllBytes(Path.Combine(outDir, "s1-mask.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "s1.png")));
    }

    [Fact]
    public void ASelectionFolderGivesEachImageItsOwnFreeFormSelection()
    {
        var (photos, _, scenes) = Photos(broken: false);
        string selections = Folder("selections");
        for (int i = 0; i < scenes.Length; i++)
        {
            var region = Mask.FromRectangle(scenes[i].Image.Width, 100, scenes[i].Box);
            string path = Path.Combine(selections, $"scene{i}.png");
            File.WriteAllBytes(path, ImageFiles.EncodeGray(region.Width, region.Height, region.ToBytes(), path));
        }
        string outDir = Path.Combine(_cli.Folder, "out");
        var (exit, stdout, stderr) = _cli.Run("cut", photos, "--selection-dir", selections, "--out-dir", outDir, "--write", "mask", "--model", "none");
        Assert.True(exit == 0, stderr);
        Assert.Contains("3 written", stdout);
        for (int i = 0; i < scenes.Length; i++)
        {
            var expected = PdnSegmentation.Segmentation.GrabCut.Segment(scenes[i].Image,
                PdnSegmentation.Segmentation.GrabCutInput.FromRegion(Mask.FromRectangle(scenes[i].Image.Width, 100, scenes[i].Box))).Foreground;
            Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(Path.Combine(outDir, $"scene{i}-mask.png"), "mask").Values);
        }
        var one = _cli.Run("cut", photos, "--selection", Path.Combine(selections, "scene0.png"), "--out-dir", outDir);
        Assert.Equal(2, one.Exit);
        Assert.Contains("--selection-dir", one.Error);
        // An image without its selection fails by name; the others are cut.
        File.Delete(Path.Combine(selections, "scene1.png"));
        var missing = _cli.Run("cut", photos, "--selection-dir", selections, "--out-dir", Path.Combine(_cli.Folder, "out2"), "--write", "mask", "--model", "none");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("scene1.png: failed: No selection named 'scene1'", missing.Error);
        Assert.Contains("2 written, 1 failed", missing.Out);
    }

    [Fact]
    public void OutDirIsCreatedWhenMissingButNotOverAFile()
    {
        var (photos, rects, _) = Photos(broken: false);
        string outDir = Path.Combine(_cli.Folder, "new", "nested");
        var (exit, _, stderr) = _cli.Run("cut", photos, "--rects", rects, "--out-dir", outDir, "--write", "mask", "--model", "none");
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(Path.Combine(outDir, "scene0-mask.png")));
        File.WriteAllText(_cli.PathOf("file"), "user data");
        var onFile = _cli.Run("cut", photos, "--rects", rects, "--out-dir", _cli.PathOf("file"), "--model", "none");
        Assert.Equal(1, onFile.Exit);
        Assert.Contains("is a file, not a folder", onFile.Error);
        Assert.Equal("user data", File.ReadAllText(_cli.PathOf("file")));
        // A command line refused before any work leaves no folder behind.
        var refused = _cli.Run("cut", photos, "--rects", rects, "--rect", "1,1,5,5", "--out-dir", _cli.PathOf("never"));
        Assert.Equal(2, refused.Exit);
        Assert.False(Directory.Exists(_cli.PathOf("never")));
    }

    [Fact]
    public void CommandLinesThatCannotWorkAreRefusedBeforeAnyImageIsRead()
    {
        var (photos, rects, scenes) = Photos(broken: false);
        string box = scenes[0].Box.ToString();
        string a = Path.Combine(photos, "scene0.png"), b = Path.Combine(photos, "scene1.png");
        (string[] Args, string Message)[] cases =
        [
            (["cut", a, b, "--rect", box, "-o", _cli.PathOf("x.png")], "--out-dir"),
            (["cut", a, b, "--rect", box], "--out-dir"),
            (["cut", photos, "--rects", rects, "--out-dir", photos], "would overwrite an input"),
            (["cut", a, "--rect", box], "Nothing to write"),
            (["cut", a, "--mask-out", _cli.PathOf("m.png")], "--rect"),
            (["cut", photos, "--rect", box, "--fg", a, "--out-dir", _cli.PathOf(".")], "--fg-dir"),
            (["matte", photos, "--out-dir", _cli.PathOf(".")], "--trimap-dir"),
            (["cut", Path.Combine(photos, "*", "x.png"), "--rect", box, "--out-dir", _cli.PathOf(".")], "wildcards"),
        ];
        foreach (var (args, message) in cases)
        {
            var (exit, _, stderr) = _cli.Run(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}, {stderr}");
            Assert.Contains(message, stderr);
        }
        string second = Folder("second");
        File.Copy(a, Path.Combine(second, "scene0.jpg.png"));
        File.Copy(a, Path.Combine(second, "scene0.png"));
        File.Copy(a, Path.Combine(photos, "..", "scene0.bmp.png"));
        var collision = _cli.Run("cut", photos, Path.Combine(second, "scene0.png"), "--rects", rects, "--out-dir", Folder("out"));
        Assert.Equal(2, collision.Exit);
        Assert.Contains("same name", collision.Error);
        Assert.Empty(Directory.GetFiles(_cli.PathOf("out")));
    }

    [Fact]
    public void OneOutputIsEnoughForEveryCuttingCommand()
    {
        var scene = SyntheticScene.ObjectOnClutter(120, 90, 6);
        string photo = _cli.WriteImage("photo.png", scene.Image);
        var trimap = PdnSegmentation.Trimaps.TrimapBuilder.FromMask(scene.Truth, new() { BandWidth = 3 });
        string trimapPath = _cli.PathOf("trimap.png");
        File.WriteAllBytes(trimapPath, ImageFiles.EncodeGray(120, 90, trimap.Labels.ToArray(), trimapPath));
        string[][] commands =
        [
            ["cut", photo, "--rect", scene.Box.ToString(), "--mask-out", _cli.PathOf("a.png")],
            ["cut", photo, "--rect", scene.Box.ToString(), "--matte", "--mask-out", _cli.PathOf("b.png")],
            ["cut", photo, "--rect", scene.Box.ToString(), "-o", _cli.PathOf("c.png")],
            ["matte", photo, "--trimap", trimapPath, "--alpha-out", _cli.PathOf("d.png")],
            ["matte", photo, "--trimap", trimapPath, "-o", _cli.PathOf("e.png")],
        ];
        foreach (var args in commands)
        {
            var (exit, stdout, stderr) = _cli.Run(args);
            Assert.True(exit == 0, $"{string.Join(' ', args)}: {stderr}");
            Assert.Contains(Path.GetFileName(args[^1]), stdout);
            Assert.True(File.Exists(args[^1]));
        }
        Assert.Equal(7, _cli.Files().Length);
    }
}

public class MemoryBudgetTests
{
    private static async Task<bool> FinishesWithin<T>(Task<T> task, int milliseconds) => await Task.WhenAny(task, Task.Delay(milliseconds)) == task;

    [Fact]
    public async Task AnImageWaitsUntilItsEstimateFitsAndAnOversizedOneRunsAlone()
    {
        var budget = new PdnSegmentation.Cli.Batch.MemoryBudget(100);
        var first = budget.Acquire(60, CancellationToken.None);
        var second = Task.Run(() => budget.Acquire(60, CancellationToken.None));
        Assert.False(await FinishesWithin(second, 300)); // 60 + 60 > 100: waits
        first.Dispose();
        Assert.True(await FinishesWithin(second, 5000));
        var huge = Task.Run(() => budget.Acquire(1_000, CancellationToken.None));
        Assert.False(await FinishesWithin(huge, 300)); // larger than the whole budget: waits until nothing else runs
        (await second).Dispose();
        Assert.True(await FinishesWithin(huge, 5000));
        using var cancelled = new CancellationTokenSource(200);
        Assert.ThrowsAny<OperationCanceledException>(() => budget.Acquire(10, cancelled.Token));
        (await huge).Dispose();
        using (budget.Acquire(100, CancellationToken.None)) { } // all of it, once free
    }

    [Fact]
    public void ModelRunsShareTheCoresAmongTheImagesRunningAtOnce()
    {
        static ImageJob Job(int i) => new($"photo{i}.png", $"photo{i}", $"photo{i}-cut.png", null, new Dictionary<string, string>(), null, null);
        Assert.Equal(0, BatchRunner.ModelThreads(new BatchPlan([Job(0)], IsBatch: false, SkipExisting: false)));
        int cores = Environment.ProcessorCount;
        foreach (int images in new[] { 2, 3, 64 })
        {
            int threads = BatchRunner.ModelThreads(new BatchPlan(Enumerable.Range(0, images).Select(Job).ToList(), IsBatch: true, SkipExisting: false));
            int atOnce = Math.Min(cores, images);
            Assert.True(threads >= (atOnce > 1 ? 1 : 0) && threads * atOnce <= cores, $"{images} images on {cores} cores: {threads} threads per model run");
        }
    }
}
