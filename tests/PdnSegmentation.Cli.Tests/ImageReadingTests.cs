using System.Buffers.Binary;
using OpenCvSharp;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Tests;

/// <summary>Files read as a viewer shows them, and hostile or broken files refused with one line.</summary>
public class ImageReadingTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    public static TheoryData<ExifOrientation> Orientations => new(Enum.GetValues<ExifOrientation>());

    private static double MeanDifference(ColorImage a, ColorImage b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        long sum = 0;
        for (int y = 0; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
            {
                var p = a[x, y];
                var q = b[x, y];
                sum += Math.Abs(p.R - q.R) + Math.Abs(p.G - q.G) + Math.Abs(p.B - q.B);
            }
        return sum / (3.0 * a.PixelCount);
    }

    [Theory]
    [MemberData(nameof(Orientations))]
    public void JpegsArePresentedInTheirExifOrientation(ExifOrientation orientation)
    {
        var shown = ImageFileMaker.Asymmetric(60, 36);
        var stored = ImageFileMaker.Stored(shown, orientation);
        foreach (bool bigEndian in new[] { true, false })
        {
            string path = _cli.PathOf($"photo-{bigEndian}.jpg");
            File.WriteAllBytes(path, ImageFileMaker.JpegWithOrientation(stored, orientation, bigEndian));
            Assert.Equal(orientation, ImageFiles.ReadHeader(path).Orientation);
            var read = ImageFiles.ReadColor(path);
            Assert.True(MeanDifference(shown, read) < 3, $"{orientation}: mean difference {MeanDifference(shown, read):F1}");
            // A grey read (trimaps, masks) turns the same way.
            var (gw, gh, _) = ImageFiles.ReadGray(path, "mask");
            Assert.Equal((60, 36), (gw, gh));
        }
    }

    [Theory]
    [MemberData(nameof(Orientations))]
    public void PngsAndTiffsArePresentedInTheirOrientationExactly(ExifOrientation orientation)
    {
        var shown = ImageFileMaker.Asymmetric(50, 30);
        var stored = ImageFileMaker.Stored(shown, orientation);
        string png = _cli.PathOf("photo.png");
        File.WriteAllBytes(png, ImageFileMaker.PngWithOrientation(stored, orientation));
        Assert.Equal(0, MeanDifference(shown, ImageFiles.ReadColor(png)));

        string tiff = _cli.PathOf("photo.tif");
        File.WriteAllBytes(tiff, ImageFileMaker.GreyTiff(stored.Width, stored.Height, (x, y) => stored[x, y].G, orientation));
        var (w, h, grey) = ImageFiles.ReadGray(tiff, "trimap");
        Assert.Equal((50, 30), (w, h));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 50; x++)
                Assert.Equal(shown[x, y].G, grey[y * 50 + x]);
        Assert.Equal(shown[7, 3].G, ImageFiles.ReadColor(tiff)[7, 3].R);
    }

    [Fact]
    public void ARectangleIsReadInTheDisplayedFrameAndOutputsAreUpright()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 5);
        // The same cut (the default, model-guided) as of the photo stored upright: the orientation is applied on reading.
        string upright = _cli.PathOf("upright.png"), uprightMask = _cli.PathOf("upright-mask.png");
        File.WriteAllBytes(upright, ImageFileMaker.PngWithOrientation(scene.Image, ExifOrientation.Normal));
        Assert.Equal(0, _cli.Run("cut", upright, "--rect", scene.Box.ToString(), "--mask-out", uprightMask).Exit);
        var expected = ImageFiles.ReadGray(uprightMask, "mask").Values;
        Assert.Contains(expected, v => v != 0);
        foreach (var orientation in new[] { ExifOrientation.Rotate90Clockwise, ExifOrientation.Transverse, ExifOrientation.Rotate180 })
        {
            string photo = _cli.PathOf($"phone-{(int)orientation}.png");
            File.WriteAllBytes(photo, ImageFileMaker.PngWithOrientation(ImageFileMaker.Stored(scene.Image, orientation), orientation));
            string mask = _cli.PathOf($"mask-{(int)orientation}.png"), cut = _cli.PathOf($"cut-{(int)orientation}.png");
            var (exit, _, stderr) = _cli.Run("cut", photo, "--rect", scene.Box.ToString(), "--mask-out", mask, "-o", cut);
            Assert.True(exit == 0, stderr);
            Assert.Equal(expected, ImageFiles.ReadGray(mask, "mask").Values);
            var header = ImageFiles.ReadHeader(cut);
            Assert.Equal((ExifOrientation.Normal, 160, 120), (header.Orientation, header.Width, header.Height)); // no tag, upright pixels
        }
    }

    [Fact]
    public void OtherColourFormatsKeepWorking()
    {
        var shown = ImageFileMaker.Asymmetric(40, 24);
        (string Name, byte[] Bytes, double Tolerance)[] files =
        [
            ("grey.jpg", GreyJpeg(shown), 3),
            ("photo.bmp", ImageFileMaker.Encode(shown, ".bmp"), 0),
            ("photo.tif", ImageFileMaker.Encode(shown, ".tif"), 0),
            ("photo.webp", ImageFileMaker.Encode(shown, ".webp", new ImageEncodingParam(ImwriteFlags.WebPQuality, 101)), 0),
            ("photo.ppm", ImageFileMaker.Encode(shown, ".ppm"), 0),
            ("deep.png", SixteenBitPng(shown), 0),
            ("palette.png", PalettePng(shown, out var paletted), 0),
            ("cmyk.jpg", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cmyk.jpg")), 0),
        ];
        foreach (var (name, bytes, tolerance) in files)
        {
            string path = _cli.PathOf(name);
            File.WriteAllBytes(path, bytes);
            var read = ImageFiles.ReadColor(path);
            var reference = name switch { "grey.jpg" => GreyOf(shown), "palette.png" => paletted, "cmyk.jpg" => read, _ => shown };
            Assert.True(MeanDifference(reference, read) <= tolerance, $"{name}: {MeanDifference(reference, read):F2}");
        }
        // The CMYK fixture is a red square on white: it must come back in colour, not inverted or grey.
        var cmyk = ImageFiles.ReadColor(_cli.PathOf("cmyk.jpg"));
        var (centre, corner) = (cmyk[cmyk.Width / 2, cmyk.Height / 2], cmyk[0, 0]);
        Assert.True(centre.R > 200 && centre.G < 60 && centre.B < 60, $"centre {centre}");
        Assert.True(corner.R > 230 && corner.G > 230 && corner.B > 230, $"corner {corner}");
    }

    private static ColorImage GreyOf(ColorImage image)
    {
        var grey = new ColorImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                byte v = (byte)Math.Round(0.299 * p.R + 0.587 * p.G + 0.114 * p.B);
                grey[x, y] = Bgra32.FromRgb(v, v, v);
            }
        return grey;
    }

    private static byte[] GreyJpeg(ColorImage image)
    {
        var grey = GreyOf(image);
        using var mat = new Mat(image.Height, image.Width, MatType.CV_8UC1);
        for (int y = 0; y < image.Height; y++) for (int x = 0; x < image.Width; x++) mat.Set(y, x, grey[x, y].R);
        Cv2.ImEncode(".jpg", mat, out byte[] bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, 100));
        return bytes;
    }

    private static byte[] SixteenBitPng(ColorImage image) => ImageFileMaker.Png(image.Width, image.Height, 16, 2, y =>
    {
        var row = new byte[image.Width * 6];
        for (int x = 0; x < image.Width; x++)
        {
            var p = image[x, y];
            // value × 257 is the 16-bit value whose 8-bit reduction is exact
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(x * 6), (ushort)(p.R * 257));
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(x * 6 + 2), (ushort)(p.G * 257));
            BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(x * 6 + 4), (ushort)(p.B * 257));
        }
        return row;
    });

    /// <summary>A 4-colour palette PNG of the picture's quantised red channel; <paramref name="expected"/> is what it shows.</summary>
    private static byte[] PalettePng(ColorImage image, out ColorImage expected)
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 250, 250];
        var shown = new ColorImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                int i = image[x, y].R / 64;
                shown[x, y] = Bgra32.FromRgb(palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]);
            }
        expected = shown;
        return ImageFileMaker.Png(image.Width, image.Height, 8, 3, y => Enumerable.Range(0, image.Width).Select(x => (byte)(image[x, y].R / 64)).ToArray(), palette);
    }

    // ---- Hostile and broken files.

    /// <summary>Runs a cut on the file: either it works, or exit 1 with one line naming the file, and no output at all.</summary>
    private int CutExpectingCleanOutcome(string name, byte[] bytes)
    {
        string path = _cli.PathOf(name);
        File.WriteAllBytes(path, bytes);
        string mask = _cli.PathOf("out-mask.png");
        var (exit, _, stderr) = _cli.Run("cut", path, "--rect", "2,2,20,12", "--mask-out", mask);
        if (exit == 0)
        {
            File.Delete(mask);
        }
        else
        {
            Assert.Equal(1, exit);
            string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"{name}: {stderr}");
            Assert.StartsWith("pdnseg: ", lines[0]);
            Assert.Contains(name, lines[0]);
            Assert.DoesNotContain(" at ", lines[0].Replace("at byte", ""));
            Assert.DoesNotContain("Exception", lines[0]);
        }
        Assert.DoesNotContain(_cli.Files(), f => f.StartsWith("out-") || f.StartsWith('.'));
        File.Delete(path);
        return exit;
    }

    [Fact]
    public void TruncatedPngsAndJpegsAreRefusedAtEveryBoundary()
    {
        var picture = ImageFileMaker.Asymmetric(48, 32);
        byte[] png = ImageFileMaker.PngWithOrientation(picture, ExifOrientation.Rotate90Clockwise);
        foreach (int at in ImageFileMaker.PngChunkStarts(png).Concat([png.Length - 1, png.Length - 4]))
            Assert.Equal(1, CutExpectingCleanOutcome($"cut-at-{at}.png", png[..at]));

        foreach (bool progressive in new[] { false, true })
        {
            byte[] jpeg = ImageFileMaker.JpegWithOrientation(picture, ExifOrientation.Rotate180, progressive: progressive);
            var cuts = ImageFileMaker.JpegMarkers(jpeg).SelectMany(m => new[] { m, m + 1, m + 3 }).Concat([jpeg.Length - 2, jpeg.Length - 1]).Distinct();
            foreach (int at in cuts.Where(c => c > 0 && c < jpeg.Length))
                Assert.Equal(1, CutExpectingCleanOutcome($"cut-at-{at}{(progressive ? "p" : "")}.jpg", jpeg[..at]));
        }
        Assert.Equal(1, CutExpectingCleanOutcome("short.bmp", ImageFileMaker.Encode(picture, ".bmp")[..200]));
        Assert.Equal(1, CutExpectingCleanOutcome("short.webp", ImageFileMaker.Encode(picture, ".webp")[..40]));
        Assert.Equal(1, CutExpectingCleanOutcome("short.tif", ImageFileMaker.Encode(picture, ".tif")[..100]));
        Assert.Equal(1, CutExpectingCleanOutcome("short.ppm", ImageFileMaker.Encode(picture, ".ppm")[..500]));
    }

    [Fact]
    public void RandomByteFlipsNeverCrashOrLeaveOutput()
    {
        var picture = ImageFileMaker.Asymmetric(48, 32);
        var random = new Random(17);
        (string Extension, byte[] Bytes)[] sources =
        [
            (".png", ImageFileMaker.PngWithOrientation(picture, ExifOrientation.Transpose)),
            (".jpg", ImageFileMaker.JpegWithOrientation(picture, ExifOrientation.Rotate90CounterClockwise)),
            (".jpg", ImageFileMaker.JpegWithOrientation(picture, ExifOrientation.Normal, progressive: true)),
            (".bmp", ImageFileMaker.Encode(picture, ".bmp")),
            (".tif", ImageFileMaker.Encode(picture, ".tif")),
            (".webp", ImageFileMaker.Encode(picture, ".webp")),
        ];
        int refused = 0, cases = 0;
        foreach (var (extension, source) in sources)
            for (int trial = 0; trial < 40; trial++)
            {
                byte[] damaged = (byte[])source.Clone();
                int flips = 1 + random.Next(4);
                // Half the flips land in the first 100 bytes, where the headers are.
                for (int f = 0; f < flips; f++)
                    damaged[random.Next(trial % 2 == 0 ? Math.Min(100, damaged.Length) : damaged.Length)] ^= (byte)(1 << random.Next(8));
                refused += CutExpectingCleanOutcome($"flip-{cases++}{extension}", damaged);
            }
        // Every flipped PNG fails its checksum; the other formats decode some flips as images (as viewers would).
        Assert.True(refused >= 40, $"only {refused} of {cases} refused");
    }

    [Fact]
    public void FilesThatAreNotImagesAreRefused()
    {
        Assert.Equal(1, CutExpectingCleanOutcome("notes.png", "these are my notes, not a picture"u8.ToArray()));
        Assert.Equal(1, CutExpectingCleanOutcome("random.jpg", Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray()));
        Assert.Equal(1, CutExpectingCleanOutcome("one.png", [0x89]));
        Assert.Equal(1, CutExpectingCleanOutcome("jpeg-no-data.jpg", [0xFF, 0xD8, 0xFF, 0xD9]));
    }

    [Fact]
    public void HugeDeclaredSizesAreRefusedBeforeDecoding()
    {
        var picture = ImageFileMaker.Asymmetric(48, 32);
        byte[] png = ImageFileMaker.Encode(picture, ".png");
        var header = png.AsSpan(16, 13).ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(header, 1 << 30);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1 << 30);
        byte[] hugePng = [.. png[..8], .. ImageFileMaker.Chunk("IHDR", header), .. png[33..]];

        byte[] jpeg = ImageFileMaker.Encode(picture, ".jpg");
        int sof = ImageFileMaker.JpegMarkers(jpeg).First(m => jpeg[m + 1] == 0xC0);
        byte[] hugeJpeg = (byte[])jpeg.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(hugeJpeg.AsSpan(sof + 5), 65000);
        BinaryPrimitives.WriteUInt16BigEndian(hugeJpeg.AsSpan(sof + 7), 65000);

        byte[] hugeBmp = ImageFileMaker.Encode(picture, ".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(hugeBmp.AsSpan(18), 100_000);
        BinaryPrimitives.WriteInt32LittleEndian(hugeBmp.AsSpan(22), -100_000);

        byte[] hugePnm = [.. "P6\n50000 50000\n255\n"u8.ToArray(), .. new byte[1000]];
        byte[] hugeTiff = ImageFileMaker.GreyTiff(4, 4, (_, _) => 0, ExifOrientation.Normal);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeTiff.AsSpan(10 + 8), 2_000_000_000);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeTiff.AsSpan(22 + 8), 2_000_000_000);

        foreach (var (name, bytes) in new[] { ("huge.png", hugePng), ("huge.jpg", hugeJpeg), ("huge.bmp", hugeBmp), ("huge.ppm", hugePnm), ("huge.tif", hugeTiff) })
        {
            string path = _cli.PathOf(name);
            File.WriteAllBytes(path, bytes);
            var (exit, _, stderr) = _cli.Run("cut", path, "--rect", "2,2,20,12", "--mask-out", _cli.PathOf("m.png"));
            Assert.True(exit == 1, $"{name}: {stderr}");
            Assert.True(stderr.Contains("megapixels") || stderr.Contains("truncated") || stderr.Contains("damaged"), $"{name}: {stderr}");
            Assert.False(File.Exists(_cli.PathOf("m.png")));
        }
    }

    [Fact]
    public void AGigapixelPngBombIsRefusedWithoutAllocatingItsPixels()
    {
        // 40 000 × 30 000 one-bit grey, all zero: 1.2 gigapixels in a file of about 150 kB.
        byte[] bomb = ImageFileMaker.Png(40_000, 30_000, 1, 0, _ => new byte[5_000]);
        Assert.True(bomb.Length < 2_000_000);
        string path = _cli.PathOf("bomb.png");
        File.WriteAllBytes(path, bomb);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var (exit, _, stderr) = _cli.Run("cut", path, "--rect", "10,10,100,100", "--mask-out", _cli.PathOf("m.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1, exit);
        Assert.Contains("40000 × 30000 (1200 megapixels)", stderr);
        Assert.Contains("--max-megapixels", stderr);
        Assert.True(allocated < 16_000_000, $"{allocated} bytes allocated");
        Assert.Equal(new[] { "bomb.png" }, _cli.Files());
    }

    [Fact]
    public void TheLimitCanBeRaisedOrLowered()
    {
        var scene = SyntheticScene.ObjectOnClutter(160, 120, 5);
        string photo = _cli.WriteImage("photo.png", scene.Image);
        var refused = _cli.Run("cut", photo, "--rect", scene.Box.ToString(), "--mask-out", _cli.PathOf("m.png"), "--max-megapixels", "0.01");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("more than the limit of 0", refused.Error);
        var allowed = _cli.Run("cut", photo, "--rect", scene.Box.ToString(), "--mask-out", _cli.PathOf("m.png"), "--max-megapixels", "0.02");
        Assert.True(allowed.Exit == 0, allowed.Error);
        Assert.Equal(2, _cli.Run("cut", photo, "--rect", scene.Box.ToString(), "--mask-out", _cli.PathOf("m.png"), "--max-megapixels", "-1").Exit);
    }
}
