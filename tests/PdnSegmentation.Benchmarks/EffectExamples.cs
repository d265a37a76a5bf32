using OpenCvSharp;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;
using PaintDotNet.TestHost;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.PaintDotNet.Effects;

namespace PdnSegmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/PdnSegmentation.Benchmarks -- effect-examples docs/images</c>: runs the
/// effects on the bundled lemur sample in the test host and writes before/after pictures (result over a checkerboard)
/// for README.
/// </summary>
public static class EffectExamples
{
    public static void Run(string[] args)
    {
        string folder = args.Length > 1 ? args[1] : "docs/images";
        Directory.CreateDirectory(folder);
        using var photo = Cv2.ImRead("samples/lemur/lemur.png", ImreadModes.Color);
        using var trimap = Cv2.ImRead("samples/lemur/lemur_trimap.png", ImreadModes.Grayscale);
        int width = photo.Width, height = photo.Height; // each Mat property read is a native call
        HostDocument Document(bool withTrimap)
        {
            var document = new HostDocument(new SizeInt32(width, height));
            var layer = document.AddLayer("Background");
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    var c = photo.At<Vec3b>(y, x);
                    layer[x, y] = new ColorBgra32(c.Item0, c.Item1, c.Item2, 255);
                }
            if (withTrimap)
            {
                var t = document.AddLayer("trimap");
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        byte v = trimap.At<byte>(y, x);
                        t[x, y] = new ColorBgra32(v, v, v, 255);
                    }
            }
            return document;
        }

        var smart = Document(false);
        smart.Selection = HostSelection.Rectangle(smart.Size, new RectInt32(120, 40, 430, 400));
        Save(folder, "smart-cut", photo, EffectHost.Run<SmartCutEffect>(smart, 0,
            p => p[SmartCutEffect.PropertyNames.EdgeQuality]!.Value = EdgeQuality.RefinedMatte).Layer);
        Save(folder, "refine-matte", photo, EffectHost.Run<RefineMatteEffect>(Document(true), 0).Layer);
        Save(folder, "select-subject", photo, EffectHost.Run<SelectSubjectEffect>(Document(false), 0,
            p => p[SelectSubjectEffect.PropertyNames.Model]!.Value = "u2netp").Layer);
        Console.WriteLine($"wrote smart-cut.png, refine-matte.png, select-subject.png to {Path.GetFullPath(folder)}");
    }

    /// <summary>The photo and the result composited over a checkerboard, side by side, at half size.</summary>
    private static void Save(string folder, string name, Mat photo, ColorBgra32[] layer)
    {
        int w = photo.Width, h = photo.Height;
        using var result = new Mat(h, w, MatType.CV_8UC3);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var p = layer[y * w + x];
                int checker = ((x / 16 + y / 16) & 1) == 0 ? 200 : 150;
                double a = p.A / 255.0;
                result.Set(y, x, new Vec3b((byte)(p.B * a + checker * (1 - a)), (byte)(p.G * a + checker * (1 - a)), (byte)(p.R * a + checker * (1 - a))));
            }
        using var both = new Mat();
        Cv2.HConcat([photo, result], both);
        using var small = new Mat();
        Cv2.Resize(both, small, new Size(both.Width / 2, both.Height / 2), 0, 0, InterpolationFlags.Area);
        Cv2.ImWrite(Path.Combine(folder, name + ".png"), small);
    }
}
