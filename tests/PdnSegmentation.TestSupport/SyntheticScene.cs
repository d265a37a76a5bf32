using PdnSegmentation.Imaging;

namespace PdnSegmentation.TestSupport;

/// <summary>A generated photo-like test image with its exact answer.</summary>
public sealed record SyntheticScene(ColorImage Image, Mask Truth, PixelRect Box)
{
    /// <summary>
    /// A reddish, shaded object (an ellipse with a lobe) on green–blue clutter: gradient, stripes, random
    /// rectangles and Gaussian noise, so neither side is a single colour.
    /// </summary>
    public static SyntheticScene ObjectOnClutter(int width, int height, int seed, double noise = 8)
    {
        var random = new Random(seed);
        var image = new ColorImage(width, height);
        var truth = new Mask(width, height);
        double cx = width * (0.45 + 0.1 * random.NextDouble()), cy = height * (0.45 + 0.1 * random.NextDouble());
        double rx = width * 0.22, ry = height * 0.26;
        double lx = cx + rx * 0.8, ly = cy - ry * 0.6, lr = Math.Min(width, height) * 0.1;

        // Clutter rectangles in a few background colours, each of which also appears away from the object
        // (GrabCut learns the background from outside the rectangle; a colour seen only inside is ambiguous).
        var palette = new (byte B, byte G, byte R)[] { (220, 90, 20), (140, 170, 30), (90, 200, 60), (200, 140, 10) };
        var clutter = new List<(int X, int Y, int W, int H, byte B, byte G, byte R)>();
        for (int i = 0; i < 40; i++)
        {
            var c = palette[i % palette.Length];
            int cw = random.Next(5, width / 5), ch = random.Next(5, height / 5);
            // The first round of each colour hugs the image border, outside any box around the object.
            int x0 = i < palette.Length ? (i % 2 == 0 ? 0 : width - cw) : random.Next(width);
            int y0 = i < palette.Length ? (i / 2 == 0 ? 0 : height - ch) : random.Next(height);
            clutter.Add((x0, y0, cw, ch, c.B, c.G, c.R));
        }

        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double ex = (x - cx) / rx, ey = (y - cy) / ry;
                bool inside = ex * ex + ey * ey <= 1 || (x - lx) * (x - lx) + (y - ly) * (y - ly) <= lr * lr;
                double b, g, r;
                if (inside)
                {
                    double shade = 0.75 + 0.25 * Math.Cos(ex * 1.3) * Math.Cos(ey * 1.1);
                    bool spot = ((x / 9) + (y / 7)) % 5 == 0;
                    (b, g, r) = spot ? (40 * shade, 120 * shade, 250 * shade) : (50 * shade, 60 * shade, 200 * shade);
                }
                else
                {
                    b = 120 + 80.0 * x / width; g = 100 + 60 * Math.Sin(y * 0.15); r = 20;
                    foreach (var c in clutter)
                        if (x >= c.X && x < c.X + c.W && y >= c.Y && y < c.Y + c.H) { b = c.B; g = c.G; r = c.R; }
                }
                image[x, y] = new Bgra32(Noisy(b, random, noise), Noisy(g, random, noise), Noisy(r, random, noise), 255);
                truth[x, y] = inside;
            }
        var bounds = truth.Bounds();
        int margin = Math.Max(3, Math.Min(width, height) / 20);
        var box = bounds.Inflate(margin).Intersect(new PixelRect(0, 0, width, height));
        return new SyntheticScene(image, truth, box);
    }

    private static byte Noisy(double v, Random random, double sigma)
    {
        // Box–Muller
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        double n = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (byte)Math.Clamp(Math.Round(v + sigma * n), 0, 255);
    }

    public static double IoU(Mask a, Mask b) => PdnSegmentation.Evaluation.SegmentationScore.IntersectionOverUnion(a, b);
}

public static class SceneDecoys
{
    /// <summary>
    /// The scene with a decoy: a disk painted in the object's own colours inside the box, beside the object but not part
    /// of it. Colour alone cannot tell it from the object; only something that knows the object can.
    /// </summary>
    public static (SyntheticScene Scene, Mask Decoy) WithDecoy(SyntheticScene scene)
    {
        var image = scene.Image.Clone();
        var decoy = new Mask(image.Width, image.Height);
        var bounds = scene.Truth.Bounds();
        var box = scene.Box;
        // The decoy sits in the box's emptiest corner: the bottom-left, below the object's lower-left curve.
        int r = Math.Max(4, Math.Min(box.Width, box.Height) / 6);
        int cx = box.X + r + 2, cy = box.Bottom - r - 2;
        var source = scene.Truth;
        var donor = (X: bounds.X + bounds.Width / 2, Y: bounds.Y + bounds.Height / 2);
        for (int y = cy - r; y <= cy + r; y++)
            for (int x = cx - r; x <= cx + r; x++)
            {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r || source[x, y]) continue;
                // Copy object pixels from the object's centre region, so the decoy's colour statistics are the object's.
                int sx = donor.X + (x - cx), sy = donor.Y + (y - cy);
                image[x, y] = scene.Image[sx, sy];
                decoy[x, y] = true;
            }
        return (scene with { Image = image }, decoy);
    }
}
