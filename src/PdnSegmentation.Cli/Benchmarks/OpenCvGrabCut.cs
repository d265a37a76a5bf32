using OpenCvSharp;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>The peer: OpenCV's cv::grabCut, run in-process on the same pixels and rectangle.</summary>
public sealed class OpenCvGrabCut : IDisposable
{
    private readonly Mat _bgr;

    public OpenCvGrabCut(ColorImage image) => _bgr = ToBgr(image);

    /// <summary>An engine image as the 3-channel BGR Mat OpenCV's algorithms take (the caller disposes it).</summary>
    public static Mat ToBgr(ColorImage image)
    {
        using var bgra = new Mat(image.Height, image.Width, MatType.CV_8UC4);
        unsafe
        {
            for (int y = 0; y < image.Height; y++)
                image.Row(y).CopyTo(new Span<byte>((byte*)bgra.Ptr(y), image.Width * 4));
        }
        return bgra.CvtColor(ColorConversionCodes.BGRA2BGR);
    }

    /// <summary>Runs grabCut from the rectangle for exactly <paramref name="iterations"/> iterations.</summary>
    public Mask Segment(PixelRect rect, int iterations)
    {
        using var mask = new Mat();
        using var background = new Mat();
        using var foreground = new Mat();
        Cv2.SetTheRNG(0x12345678); // grabCut's k-means draws from OpenCV's global RNG: fix it so runs repeat
        Cv2.GrabCut(_bgr, mask, new Rect(rect.X, rect.Y, rect.Width, rect.Height), background, foreground, iterations, GrabCutModes.InitWithRect);
        return ToMask(mask);
    }

    /// <summary>
    /// grabCut from a free-form selection (GC_INIT_WITH_MASK): inside GC_PR_FGD, outside GC_BGD — the mask form of
    /// GC_INIT_WITH_RECT.
    /// </summary>
    public Mask SegmentFromSelection(Mask selection, int iterations)
    {
        int w = _bgr.Width, h = _bgr.Height;
        using var mask = new Mat(h, w, MatType.CV_8UC1, new Scalar(0)); // GC_BGD
        var inside = selection.Bits;
        unsafe
        {
            for (int y = 0; y < h; y++)
            {
                var row = new Span<byte>((byte*)mask.Ptr(y), w);
                for (int x = 0; x < w; x++) if (inside[y * w + x] != 0) row[x] = 3; // GC_PR_FGD
            }
        }
        using var background = new Mat();
        using var foreground = new Mat();
        Cv2.SetTheRNG(0x12345678);
        Cv2.GrabCut(_bgr, mask, default, background, foreground, iterations, GrabCutModes.InitWithMask);
        return ToMask(mask);
    }

    /// <summary>
    /// grabCut initialised from strokes (GC_INIT_WITH_MASK): object strokes GC_FGD, background strokes GC_BGD,
    /// every other pixel GC_PR_BGD.
    /// </summary>
    public Mask SegmentFromStrokes(Mask foregroundStrokes, Mask backgroundStrokes, int iterations)
    {
        int w = _bgr.Width, h = _bgr.Height;
        using var mask = new Mat(h, w, MatType.CV_8UC1, new Scalar(2)); // GC_PR_BGD
        var f = foregroundStrokes.Bits;
        var b = backgroundStrokes.Bits;
        unsafe
        {
            for (int y = 0; y < h; y++)
            {
                var row = new Span<byte>((byte*)mask.Ptr(y), w);
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    if (f[i] != 0) row[x] = 1; // GC_FGD
                    else if (b[i] != 0) row[x] = 0; // GC_BGD
                }
            }
        }
        using var background = new Mat();
        using var foreground = new Mat();
        Cv2.SetTheRNG(0x12345678);
        Cv2.GrabCut(_bgr, mask, default, background, foreground, iterations, GrabCutModes.InitWithMask);
        return ToMask(mask);
    }

    private Mask ToMask(Mat mask)
    {
        var result = new Mask(_bgr.Width, _bgr.Height);
        var bits = result.Bits;
        unsafe
        {
            int rows = mask.Rows, cols = mask.Cols;
            for (int y = 0; y < rows; y++)
            {
                var row = new ReadOnlySpan<byte>((byte*)mask.Ptr(y), cols);
                for (int x = 0; x < row.Length; x++) bits[y * cols + x] = (byte)(row[x] & 1); // GC_FGD = 1, GC_PR_FGD = 3
            }
        }
        return result;
    }

    public void Dispose() => _bgr.Dispose();
}
