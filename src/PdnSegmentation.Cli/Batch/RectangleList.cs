using System.Globalization;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Cli.Batch;

/// <summary><c>cut --rects FILE</c>: one rectangle per image, as the GrabCut database's boxes.csv lists them.</summary>
public static class RectangleList
{
    /// <summary>Reads lines <c>name,x,y,w,h</c> (a header line and blank lines are skipped); the name is an image's name with or without its extension.</summary>
    public static IReadOnlyDictionary<string, PixelRect> Read(string path)
    {
        if (!File.Exists(path)) throw new InputFileException($"Cannot read --rects '{path}': the file does not exist.");
        var rectangles = new Dictionary<string, PixelRect>(StringComparer.OrdinalIgnoreCase);
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var parts = line.Split(',', StringSplitOptions.TrimEntries);
            var values = new int[4];
            bool numeric = parts.Length == 5 && Enumerable.Range(0, 4).All(i => int.TryParse(parts[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]));
            if (!numeric)
            {
                if (number == 1) continue; // the header
                throw new InputFileException($"--rects '{path}', line {number}: '{line}' is not name,x,y,w,h.");
            }
            if (!rectangles.TryAdd(parts[0], new PixelRect(values[0], values[1], values[2], values[3])))
                throw new InputFileException($"--rects '{path}', line {number}: '{parts[0]}' has a rectangle already.");
        }
        return rectangles;
    }
}
