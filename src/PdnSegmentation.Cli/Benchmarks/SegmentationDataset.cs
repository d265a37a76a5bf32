using System.Globalization;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Benchmarks;

/// <summary>
/// A benchmark folder: images/NAME.(jpg|png), masks/NAME.png (0 / 255, other values = unlabelled band) and
/// boxes.csv (name,x,y,w,h) — the layout of the GrabCut and Berkeley sets.
/// </summary>
public sealed record SegmentationDataset(string Folder, IReadOnlyList<SegmentationSample> Samples)
{
    public static SegmentationDataset Open(string folder)
    {
        string boxes = Path.Combine(folder, "boxes.csv");
        if (!Directory.Exists(folder)) throw new InputFileException($"Dataset folder '{folder}' does not exist.");
        if (!File.Exists(boxes)) throw new InputFileException($"'{folder}' has no boxes.csv (name,x,y,w,h); is it a segmentation dataset?");
        var samples = new List<SegmentationSample>();
        foreach (var line in File.ReadLines(boxes).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split(',');
            if (f.Length < 5) throw new InputFileException($"{boxes}: malformed line '{line}'.");
            string name = f[0];
            string? image = new[] { ".jpg", ".png", ".jpeg", ".bmp" }.Select(e => Path.Combine(folder, "images", name + e)).FirstOrDefault(File.Exists);
            string mask = Path.Combine(folder, "masks", name + ".png");
            if (image is null || !File.Exists(mask)) throw new InputFileException($"{folder}: missing image or mask for '{name}'.");
            int v(int i) => int.Parse(f[i], CultureInfo.InvariantCulture);
            samples.Add(new SegmentationSample(name, image, mask, new PixelRect(v(1), v(2), v(3), v(4))));
        }
        return new SegmentationDataset(folder, samples);
    }
}

public sealed record SegmentationSample(string Name, string ImagePath, string MaskPath, PixelRect Box);
