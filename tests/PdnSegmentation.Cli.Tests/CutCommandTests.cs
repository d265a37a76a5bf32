using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests;

public class CutCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly SyntheticScene _scene = SyntheticScene.ObjectOnClutter(160, 120, 3);

    public void Dispose() => _cli.Dispose();

    private string Rect => _scene.Box.ToString();

    [Fact]
    public void WritesTheCutOutAndTheMaskTheEngineComputes()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, stdout, stderr) = _cli.Run("cut", image, "--rect", Rect, "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("cut.png", stdout);

        // By default the bundled u2netp guides the cut (Smart Cut's engine).
        using var u2netp = U2netp();
        var expected = ModelGuidedCut.Segment(_scene.Image, GrabCutInput.FromRectangle(_scene.Box), u2netp).Foreground;
        var cut = ImageFiles.ReadColor(_cli.PathOf("cut.png"));
        var (mw, mh, mask) = ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask");
        Assert.Equal((160, 120), (mw, mh));
        Assert.Equal(expected.ToBytes(), mask);
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160; x++)
            {
                var p = cut[x, y];
                var source = _scene.Image[x, y];
                Assert.Equal(expected[x, y] ? 255 : 0, p.A);
                Assert.Equal((source.B, source.G, source.R), (p.B, p.G, p.R)); // straight alpha keeps colour
            }
        Assert.True(SegmentationScore.IntersectionOverUnion(expected, _scene.Truth) > 0.98);
        Assert.Equal(new[] { "cut.png", "mask.png", "photo.png" }, _cli.Files());
    }

    private static SubjectSelector U2netp() =>
        SubjectSelector.Open(InstalledModel.Load(Path.Combine(AppContext.BaseDirectory, "models", "u2netp")), new SelectSubjectOptions { Refinement = null });

    [Fact]
    public void TheObjectModelGuidesTheCutOfTheLemurAndNoneIsGrabCutAlone()
    {
        string lemur = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");
        var image = ImageFiles.ReadColor(lemur);
        var box = new PixelRect(120, 40, 430, 400);
        var guided = _cli.Run("cut", lemur, "--rect", box.ToString(), "--mask-out", _cli.PathOf("guided.png"));
        var plain = _cli.Run("cut", lemur, "--rect", box.ToString(), "--mask-out", _cli.PathOf("plain.png"), "--model", "none");
        Assert.True(guided.Exit == 0 && plain.Exit == 0, guided.Error + plain.Error);
        Assert.Contains("model u2netp trusted", guided.Out);
        Assert.DoesNotContain("model", plain.Out);
        using var u2netp = U2netp();
        Assert.Equal(ModelGuidedCut.Segment(image, GrabCutInput.FromRectangle(box), u2netp).Foreground.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("guided.png"), "mask").Values);
        Assert.Equal(GrabCut.Segment(image, GrabCutInput.FromRectangle(box)).Foreground.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("plain.png"), "mask").Values);
        Assert.NotEqual(ImageFiles.ReadGray(_cli.PathOf("plain.png"), "mask").Values, ImageFiles.ReadGray(_cli.PathOf("guided.png"), "mask").Values);
    }

    [Fact]
    public void AFreeFormSelectionIsCutAsTheEffectCutsOne()
    {
        // A lasso as Paint.NET hands it over: coverage, an antialiased edge of half-covered pixels that count as inside.
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var lasso = _scene.Truth.Bounds().Inflate(5);
        var coverage = new byte[160 * 120];
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160; x++)
            {
                double dx = (x - (lasso.X + lasso.Width / 2.0)) / (lasso.Width / 2.0), dy = (y - (lasso.Y + lasso.Height / 2.0)) / (lasso.Height / 2.0);
                double r = Math.Sqrt(dx * dx + dy * dy);
                coverage[y * 160 + x] = r <= 1.2 ? (byte)255 : r <= 1.22 ? (byte)128 : r <= 1.24 ? (byte)100 : (byte)0;
            }
        string selectionPath = _cli.PathOf("selection.png");
        File.WriteAllBytes(selectionPath, ImageFiles.EncodeGray(160, 120, coverage, selectionPath));
        var (exit, stdout, stderr) = _cli.Run("cut", image, "--selection", selectionPath, "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("model u2netp", stdout);
        var region = Mask.FromBytes(160, 120, coverage.Select(c => c >= 128 ? (byte)1 : (byte)0).ToArray());
        using var u2netp = U2netp();
        var expected = ModelGuidedCut.Segment(_scene.Image, GrabCutInput.FromRegion(region), u2netp).Foreground;
        Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask").Values);
        Assert.True(SegmentationScore.IntersectionOverUnion(expected, _scene.Truth) > 0.97);
    }

    [Theory]
    [InlineData("--rect 1,1,20,20 --selection SEL", 2, "one of")]
    [InlineData("--selection SEL --rects RECTS", 2, "one of")]
    [InlineData("--selection SMALL", 1, "selection 'small.png' is 40×30 but the image is 160×120")]
    [InlineData("--selection EMPTY", 1, "selection is empty")]
    [InlineData("--rect 10,10,40,40 --model nosuch", 1, "'nosuch' is not installed")]
    public void BadSelectionsAndModelsAreRefusedByName(string arguments, int exitCode, string message)
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        _cli.WriteMask("sel.png", _scene.Truth);
        _cli.WriteMask("small.png", new Mask(40, 30));
        _cli.WriteMask("empty.png", new Mask(160, 120));
        File.WriteAllText(_cli.PathOf("rects.csv"), "name,x,y,w,h\nphoto,1,1,20,20\n");
        var args = new List<string> { "cut", image, "-o", _cli.PathOf("cut.png") };
        args.AddRange(arguments.Split(' ').Select(a => a switch
        {
            "SEL" => _cli.PathOf("sel.png"), "SMALL" => _cli.PathOf("small.png"), "EMPTY" => _cli.PathOf("empty.png"), "RECTS" => _cli.PathOf("rects.csv"), _ => a,
        }));
        var (exit, _, stderr) = _cli.Run([.. args]);
        Assert.Equal(exitCode, exit);
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));
    }

    [Fact]
    public void FillHolesAndObjectsCleanTheCutAsTheEngineDoes()
    {
        string lemur = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur", "lemur.png");
        var (exit, _, stderr) = _cli.Run("cut", lemur, "--rect", "120,40,430,400", "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"),
            "--fill-holes", "1", "--objects", "main", "--model", "none");
        Assert.True(exit == 0, stderr);
        var image = ImageFiles.ReadColor(lemur);
        var cut = GrabCut.Segment(image, GrabCutInput.FromRectangle(new PixelRect(120, 40, 430, 400))).Foreground;
        var expected = MaskCleanup.Apply(cut, new MaskCleanupOptions { MainObjectOnly = true, MaxHoleFraction = 0.01 });
        Assert.NotEqual(cut.ToBytes(), expected.ToBytes()); // the eyes were holes
        Assert.Equal(expected.ToBytes(), ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask").Values);
        Assert.Equal(2, _cli.Run("cut", lemur, "--rect", "120,40,430,400", "-o", _cli.PathOf("x.png"), "--fill-holes", "120").Exit);
        Assert.Equal(2, _cli.Run("cut", lemur, "--rect", "120,40,430,400", "-o", _cli.PathOf("x.png"), "--objects", "some").Exit);
    }

    [Fact]
    public void HintMasksAreApplied()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var bg = new Mask(160, 120);
        var bounds = _scene.Truth.Bounds();
        int cx = bounds.X + bounds.Width / 2, cy = bounds.Y + bounds.Height / 2;
        for (int y = cy - 3; y <= cy + 3; y++) for (int x = cx - 3; x <= cx + 3; x++) bg[x, y] = true;
        string bgPath = _cli.WriteMask("bg.png", bg);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", Rect, "--bg", bgPath, "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
        var (_, _, mask) = ImageFiles.ReadGray(_cli.PathOf("mask.png"), "mask");
        Assert.Equal(0, mask[cy * 160 + cx]);
    }

    [Fact]
    public void MissingImageIsBadInputAndWritesNothing()
    {
        var (exit, _, stderr) = _cli.Run("cut", _cli.PathOf("nope.png"), "--rect", "1,1,5,5", "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("nope.png", stderr);
        Assert.Contains("does not exist", stderr);
        Assert.Empty(_cli.Files());
    }

    [Fact]
    public void UnreadableImageIsBadInput()
    {
        string path = _cli.PathOf("broken.png");
        File.WriteAllBytes(path, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5 });
        var (exit, _, stderr) = _cli.Run("cut", path, "--rect", "1,1,5,5", "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("not an image", stderr);
        Assert.Equal(new[] { "broken.png" }, _cli.Files());
    }

    [Fact]
    public void AnEmptyFileIsNamedAsEmptyAndWritesNothing()
    {
        string path = _cli.PathOf("empty.png");
        File.WriteAllBytes(path, []);
        var (exit, _, stderr) = _cli.Run("cut", path, "--rect", "1,1,5,5", "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("the file is empty", stderr);
        Assert.DoesNotContain("   at ", stderr); // a message, not a stack trace
        Assert.Equal(new[] { "empty.png" }, _cli.Files());
    }

    [Fact]
    public void AFolderGivenForAFileIsNamedAsAFolder()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        string folder = _cli.PathOf("hints.png");
        Directory.CreateDirectory(folder);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", Rect, "--fg", folder, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("'" + folder + "': it is a folder", stderr);
        Assert.False(File.Exists(_cli.PathOf("cut.png")));

        // A folder as the image is a batch: its outputs need --out-dir, not one -o file.
        (exit, _, stderr) = _cli.Run("cut", folder, "--rect", Rect, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(2, exit);
        Assert.Contains("--out-dir", stderr);
    }

    [Theory]
    [InlineData("500,500,10,10", "outside the 160×120 image")]
    [InlineData("10,10,0,20", "is empty")]
    public void BadRectangleIsBadInput(string rect, string message)
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", rect, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains(message, stderr);
        Assert.Equal(new[] { "photo.png" }, _cli.Files());
    }

    [Theory]
    [InlineData("cut", "photo.png", "--rect", "1,2,3", "-o", "cut.png")]
    [InlineData("cut", "photo.png", "--rect", "a,b,c,d", "-o", "cut.png")]
    [InlineData("cut", "photo.png", "-o", "cut.png")]
    [InlineData("cut", "photo.png", "--rect", "1,1,5,5", "-o", "cut.png", "--frobnicate")]
    [InlineData("cut", "photo.png", "--rect", "1,1,5,5", "-o", "cut.jpg")]
    [InlineData("cut", "photo.png", "--rect", "1,1,5,5", "-o", "cut.png", "--iterations", "0")]
    public void MalformedCommandLinesAreUsageErrors(params string[] args)
    {
        _cli.WriteImage("photo.png", _scene.Image);
        var resolved = args.Select(a => a.EndsWith(".png") || a.EndsWith(".jpg") ? _cli.PathOf(a) : a).ToArray();
        var (exit, _, stderr) = _cli.Run(resolved);
        Assert.Equal(2, exit);
        Assert.StartsWith("pdnseg: ", stderr);
        Assert.Equal(new[] { "photo.png" }, _cli.Files());
    }

    [Fact]
    public void HintMaskOfAnotherSizeIsBadInput()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        string fg = _cli.WriteMask("fg.png", new Mask(80, 60));
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", Rect, "--fg", fg, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("foreground mask 'fg.png' is 80×60 but the image is 160×120", stderr);
        Assert.Equal(new[] { "fg.png", "photo.png" }, _cli.Files());
    }

    [Fact]
    public void EverythingBackgroundHintsAreBadInput()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        string bg = _cli.WriteMask("bg.png", new Mask(160, 120).Invert());
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", Rect, "--bg", bg, "-o", _cli.PathOf("cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("Nothing is left that could be the object", stderr);
    }

    [Fact]
    public void AWholePhotoRectangleWithNoSubjectInItIsRefusedAndWritesNothing()
    {
        // A smooth ramp: the model finds no subject, and a rectangle over the whole photo says nothing of where one is.
        var ramp = new ColorImage(200, 150);
        for (int y = 0; y < 150; y++)
            for (int x = 0; x < 200; x++) { byte v = (byte)(x * 255 / 199); ramp[x, y] = new Bgra32(v, v, v, 255); }
        string image = _cli.WriteImage("ramp.png", ramp);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", "0,0,200,150", "-o", _cli.PathOf("cut.png"), "--mask-out", _cli.PathOf("mask.png"));
        Assert.Equal(1, exit);
        Assert.Contains("the object model finds no subject in it", stderr);
        Assert.Equal(new[] { "ramp.png" }, _cli.Files());
        // Without a model the rectangle is GrabCut's to cut, as asked.
        (exit, _, stderr) = _cli.Run("cut", image, "--rect", "0,0,200,150", "--model", "none", "--mask-out", _cli.PathOf("mask.png"));
        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public void FailureLeavesAnExistingOutputUntouched()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        string output = _cli.PathOf("cut.png");
        File.WriteAllText(output, "previous result");
        var (exit, _, _) = _cli.Run("cut", image, "--rect", "500,500,5,5", "-o", output);
        Assert.Equal(1, exit);
        Assert.Equal("previous result", File.ReadAllText(output));
    }

    [Fact]
    public void MissingOutputFolderIsReportedBeforeAnyWork()
    {
        string image = _cli.WriteImage("photo.png", _scene.Image);
        var (exit, _, stderr) = _cli.Run("cut", image, "--rect", Rect, "-o", Path.Combine(_cli.Folder, "no", "such", "cut.png"));
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", stderr);
    }
}
