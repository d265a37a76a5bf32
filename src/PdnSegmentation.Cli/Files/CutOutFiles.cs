using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Files;

/// <summary>The files every cutting command writes, all-or-nothing: a cut-out and its mask or matte.</summary>
internal static class CutOutFiles
{
    /// <summary>A hard cut: the cut-out (object opaque, the rest transparent) and the 0/255 mask.</summary>
    public static void WriteHard(ColorImage image, Mask mask, string? outputPath, string? maskPath, CancellationToken cancellationToken)
    {
        var outputs = new OutputFiles();
        if (outputPath is not null) outputs.Add(outputPath, ImageFiles.EncodeColor(Compositing.CutOut(image, mask), outputPath));
        if (maskPath is not null) outputs.Add(maskPath, ImageFiles.EncodeGray(image.Width, image.Height, mask.ToBytes(), maskPath));
        outputs.Commit(cancellationToken);
    }

    /// <summary>A matte: the cut-out with decontaminated colours and the 8-bit alpha (plus one more file if given).</summary>
    public static void WriteMatte(ColorImage image, MatteResult matte, string? outputPath, string? alphaPath, CancellationToken cancellationToken,
        (string Path, byte[] Bytes)? extra = null)
    {
        var outputs = new OutputFiles();
        if (outputPath is not null) outputs.Add(outputPath, ImageFiles.EncodeColor(matte.Foreground, outputPath));
        if (alphaPath is not null) outputs.Add(alphaPath, ImageFiles.EncodeGray(image.Width, image.Height, matte.Alpha.ToBytes(), alphaPath));
        if (extra is { } e) outputs.Add(e.Path, e.Bytes);
        outputs.Commit(cancellationToken);
    }
}
