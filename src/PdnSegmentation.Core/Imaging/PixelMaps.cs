using OpenCvSharp;

namespace PdnSegmentation.Imaging;

/// <summary>
/// Whole-image operations the engine borrows from OpenCV, run on the engine's own buffers (wrapped, not copied):
/// the one place where engine pixels meet OpenCV's Mat.
/// </summary>
public static class PixelMaps
{
    /// <summary>
    /// Exact Euclidean distance from every pixel to the nearest pixel where <paramref name="isTarget"/> is non-zero
    /// (0 on targets; +∞ everywhere when there is no target).
    /// </summary>
    public static unsafe float[] DistanceToTargets(ReadOnlySpan<byte> isTarget, int width, int height)
    {
        ImageGuard.Size(width, height);
        if (isTarget.Length != width * height) throw new ArgumentException("One value per pixel is needed.", nameof(isTarget));
        var distance = new float[width * height];
        if (isTarget.IndexOfAnyExcept((byte)0) < 0)
        {
            Array.Fill(distance, float.PositiveInfinity);
            return distance;
        }
        // OpenCV measures from non-zero pixels to the nearest zero pixel, so targets become the zeros.
        var source = new byte[width * height];
        for (int i = 0; i < source.Length; i++) source[i] = isTarget[i] != 0 ? (byte)0 : (byte)255;
        fixed (byte* src = source)
        fixed (float* dst = distance)
        {
            using var from = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)src, width);
            using var to = Mat.FromPixelData(height, width, MatType.CV_32FC1, (IntPtr)dst, width * 4);
            Cv2.DistanceTransform(from, to, DistanceTypes.L2, DistanceTransformMasks.Precise);
        }
        return distance;
    }

    /// <summary>
    /// For every pixel, the index (y·width + x) of the nearest pixel where <paramref name="isTarget"/> is non-zero
    /// (OpenCV's labelled distance transform, 5×5 mask; ties broken its way). Needs at least one target.
    /// </summary>
    public static unsafe int[] NearestTarget(ReadOnlySpan<byte> isTarget, int width, int height)
    {
        ImageGuard.Size(width, height);
        if (isTarget.Length != width * height) throw new ArgumentException("One value per pixel is needed.", nameof(isTarget));
        var targets = new List<int>();
        var source = new byte[width * height];
        for (int i = 0; i < source.Length; i++)
        {
            if (isTarget[i] != 0) targets.Add(i); // OpenCV numbers its zero pixels 1, 2, … in raster order
            else source[i] = 255;
        }
        if (targets.Count == 0) throw new ArgumentException("There is no target pixel.", nameof(isTarget));
        var labels = new int[width * height];
        fixed (byte* src = source)
        fixed (int* lab = labels)
        {
            using var from = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)src, width);
            using var distance = new Mat();
            using var to = Mat.FromPixelData(height, width, MatType.CV_32SC1, (IntPtr)lab, width * 4);
            Cv2.DistanceTransformWithLabels(from, distance, to, DistanceTypes.L2, DistanceTransformMasks.Mask5, DistanceTransformLabelTypes.Pixel);
        }
        for (int i = 0; i < labels.Length; i++) labels[i] = targets[labels[i] - 1];
        return labels;
    }

    /// <summary>Gaussian blur of an interleaved float map with 1–4 channels, in place (OpenCV, borders reflected).</summary>
    public static unsafe void GaussianBlur(float[] values, int width, int height, int channels, double sigma)
    {
        ImageGuard.Size(width, height);
        if (values.Length != width * height * channels) throw new ArgumentException("channels values per pixel are needed.", nameof(values));
        fixed (float* data = values)
        {
            using var map = Mat.FromPixelData(height, width, MatType.CV_32FC(channels), (IntPtr)data, width * channels * 4);
            using var blurred = new Mat();
            Cv2.GaussianBlur(map, blurred, new Size(0, 0), sigma, sigma, BorderTypes.Reflect101);
            blurred.CopyTo(map);
        }
    }

    /// <summary>
    /// The boundaries of a mask's set pixels as ordered chains of pixel indices (OpenCV's border following, every
    /// boundary pixel, outer and hole boundaries alike).
    /// </summary>
    public static unsafe List<int[]> BoundaryChains(ReadOnlySpan<byte> mask, int width, int height)
    {
        ImageGuard.Size(width, height);
        if (mask.Length != width * height) throw new ArgumentException("One value per pixel is needed.", nameof(mask));
        var copy = mask.ToArray();
        var chains = new List<int[]>();
        fixed (byte* src = copy)
        {
            using var from = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)src, width);
            Cv2.FindContours(from, out Point[][] contours, out _, RetrievalModes.List, ContourApproximationModes.ApproxNone);
            foreach (var contour in contours)
                chains.Add(Array.ConvertAll(contour, p => p.Y * width + p.X));
        }
        return chains;
    }

    /// <summary>
    /// Connected components of the set pixels (OpenCV's labelling): a label per pixel (0 = unset, 1..count = components)
    /// and the number of components. Eight-connected, or four-connected for the complement's holes.
    /// </summary>
    public static unsafe (int[] Labels, int Count) ConnectedComponents(ReadOnlySpan<byte> mask, int width, int height, bool eightConnected)
    {
        ImageGuard.Size(width, height);
        if (mask.Length != width * height) throw new ArgumentException("One value per pixel is needed.", nameof(mask));
        var labels = new int[width * height];
        int count;
        fixed (byte* src = mask)
        fixed (int* lab = labels)
        {
            using var from = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)src, width);
            using var to = Mat.FromPixelData(height, width, MatType.CV_32SC1, (IntPtr)lab, width * 4);
            count = Cv2.ConnectedComponents(from, to, eightConnected ? PixelConnectivity.Connectivity8 : PixelConnectivity.Connectivity4, MatType.CV_32SC1) - 1;
        }
        return (labels, count);
    }

    /// <summary>
    /// Meyer's marker-based watershed on the colour image (OpenCV): floods from the markers (labels ≥ 1; 0 = to be
    /// flooded) and leaves −1 on the lines where floods meet and on the image's outermost pixels.
    /// </summary>
    public static unsafe void Watershed(ColorImage image, int[] markers)
    {
        if (markers.Length != image.Width * image.Height) throw new ArgumentException("One marker per pixel is needed.", nameof(markers));
        fixed (byte* src = image.Data)
        fixed (int* lab = markers)
        {
            using var bgra = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC4, (IntPtr)src, image.Stride);
            using var bgr = new Mat();
            Cv2.CvtColor(bgra, bgr, ColorConversionCodes.BGRA2BGR);
            using var labels = Mat.FromPixelData(image.Height, image.Width, MatType.CV_32SC1, (IntPtr)lab, image.Width * 4);
            Cv2.Watershed(bgr, labels);
        }
    }

    /// <summary>
    /// Brings a low-resolution probability map (row-major, <paramref name="mapWidth"/> × <paramref name="mapHeight"/>)
    /// to the guide image's size: bilinear upsampling, then He et al.'s guided filter (OpenCV ximgproc) with the image
    /// as guide, so soft edges follow the image's edges instead of a blurred low-resolution outline. Values clamped to
    /// 0..1.
    /// </summary>
    public static unsafe float[] GuidedUpsample(ColorImage guide, ReadOnlySpan<float> map, int mapWidth, int mapHeight, int radius, double epsilon)
    {
        if (map.Length != mapWidth * mapHeight) throw new ArgumentException("One value per map pixel is needed.", nameof(map));
        int w = guide.Width, h = guide.Height;
        var result = new float[w * h];
        fixed (float* src = map)
        fixed (float* dst = result)
        fixed (byte* g = guide.Data)
        {
            using var low = Mat.FromPixelData(mapHeight, mapWidth, MatType.CV_32FC1, (IntPtr)src, mapWidth * 4);
            using var up = new Mat();
            Cv2.Resize(low, up, new Size(w, h), 0, 0, InterpolationFlags.Linear);
            using var bgra = Mat.FromPixelData(h, w, MatType.CV_8UC4, (IntPtr)g, guide.Stride);
            using var bgr = new Mat();
            Cv2.CvtColor(bgra, bgr, ColorConversionCodes.BGRA2BGR);
            using var output = Mat.FromPixelData(h, w, MatType.CV_32FC1, (IntPtr)dst, w * 4);
            OpenCvSharp.XImgProc.CvXImgProc.GuidedFilter(bgr, up, output, radius, epsilon * 255 * 255, -1);
        }
        for (int i = 0; i < result.Length; i++) result[i] = Math.Clamp(result[i], 0f, 1f);
        return result;
    }

    /// <summary>Bilinear resampling of a single-channel float map (row-major), e.g. model logits.</summary>
    public static unsafe float[] ResizeFloat(ReadOnlySpan<float> map, int width, int height, int newWidth, int newHeight)
    {
        if (map.Length != width * height) throw new ArgumentException("One value per map pixel is needed.", nameof(map));
        var result = new float[newWidth * newHeight];
        fixed (float* src = map)
        fixed (float* dst = result)
        {
            using var from = Mat.FromPixelData(height, width, MatType.CV_32FC1, (IntPtr)src, width * 4);
            using var to = Mat.FromPixelData(newHeight, newWidth, MatType.CV_32FC1, (IntPtr)dst, newWidth * 4);
            Cv2.Resize(from, to, new Size(newWidth, newHeight), 0, 0, InterpolationFlags.Linear);
        }
        return result;
    }

    /// <summary>
    /// Resamples a mask: when shrinking, a pixel is set where at least half of the area it covers is set (area
    /// averaging); when enlarging, nearest neighbour.
    /// </summary>
    public static unsafe Mask ResizeMask(Mask mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ImageGuard.Size(width, height);
        var levels = mask.ToBytes();
        var resized = new byte[width * height];
        bool shrinking = (long)width * height < (long)mask.Width * mask.Height;
        fixed (byte* src = levels, dst = resized)
        {
            using var from = Mat.FromPixelData(mask.Height, mask.Width, MatType.CV_8UC1, (IntPtr)src, mask.Width);
            using var to = Mat.FromPixelData(height, width, MatType.CV_8UC1, (IntPtr)dst, width);
            Cv2.Resize(from, to, new Size(width, height), 0, 0, shrinking ? InterpolationFlags.Area : InterpolationFlags.Nearest);
        }
        return Mask.FromCoverage(width, height, resized);
    }

    /// <summary>Resamples a BGRA image: area averaging when shrinking, bilinear when enlarging.</summary>
    public static ColorImage Resize(ColorImage image, int width, int height) =>
        ResizeRegion(image, new PixelRect(0, 0, image.Width, image.Height), width, height);

    /// <summary>
    /// Resamples the part of <paramref name="image"/> inside <paramref name="region"/> (which must lie inside it) to
    /// <paramref name="width"/> × <paramref name="height"/>, reading it in place: a crop of a 24 MP photo brought down to
    /// a model's size costs no full-size copy.
    /// </summary>
    public static unsafe ColorImage ResizeRegion(ColorImage image, PixelRect region, int width, int height)
    {
        if (region.IsEmpty || region.X < 0 || region.Y < 0 || region.Right > image.Width || region.Bottom > image.Height)
            throw new ArgumentOutOfRangeException(nameof(region), region, $"The region must lie inside the {image.Width}×{image.Height} image.");
        var result = new ColorImage(width, height);
        bool shrinking = (long)width * height < region.Area;
        fixed (byte* src = image.Data, dst = result.Data)
        {
            using var from = Mat.FromPixelData(region.Height, region.Width, MatType.CV_8UC4,
                (IntPtr)(src + (long)region.Y * image.Stride + region.X * ColorImage.BytesPerPixel), image.Stride);
            using var to = Mat.FromPixelData(height, width, MatType.CV_8UC4, (IntPtr)dst, result.Stride);
            Cv2.Resize(from, to, new Size(width, height), 0, 0, shrinking ? InterpolationFlags.Area : InterpolationFlags.Linear);
        }
        return result;
    }
}
