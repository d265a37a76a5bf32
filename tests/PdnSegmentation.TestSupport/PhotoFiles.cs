using OpenCvSharp;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.TestSupport;

/// <summary>Photos and painted grey images read through OpenCV for tests and benchmarks (the CLI has its own reader, ImageFiles).</summary>
public static class PhotoFiles
{
    public static ColorImage ReadColor(string path)
    {
        using var photo = Cv2.ImRead(path, ImreadModes.Color);
        if (photo.Empty()) throw new FileNotFoundException($"Cannot read the photo '{path}'.", path);
        int width = photo.Width, height = photo.Height; // each Mat property read is a native call
        var image = new ColorImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var p = photo.At<Vec3b>(y, x);
                image[x, y] = Bgra32.FromRgb(p.Item2, p.Item1, p.Item0);
            }
        return image;
    }

    /// <summary>A grey image's values, row after row.</summary>
    public static (int Width, int Height, byte[] Values) ReadGray(string path)
    {
        using var grey = Cv2.ImRead(path, ImreadModes.Grayscale);
        if (grey.Empty()) throw new FileNotFoundException($"Cannot read the image '{path}'.", path);
        int width = grey.Width, height = grey.Height;
        var values = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) values[y * width + x] = grey.At<byte>(y, x);
        return (width, height, values);
    }
}
