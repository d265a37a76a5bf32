using System.CommandLine;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Imaging;
using PdnSegmentation.Matting;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg matte</c>: soft alpha and decontaminated colours from a trimap.</summary>
public static class MatteCommand
{
    public static Command Create(CommandContext context)
    {
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
        var trimap = new Option<string>("--trimap") { Description = "Trimap: white (255) = object, black (0) = background, any other grey = unknown.", Required = true };
        var method = new Option<string>("--method") { Description = "Matting method.", DefaultValueFactory = _ => "closed-form" };
        method.AcceptOnlyFromAmong("closed-form");
        var alphaOut = new Option<string?>("--alpha-out") { Description = "Write the alpha matte (8-bit grey)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the cut-out: straight-alpha RGBA PNG with estimated object colours." };
        var command = new Command("matte", "Soft alpha matte (closed-form matting) and clean edge colours from a trimap.")
        {
            image, trimap, method, alphaOut, output,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetRequiredValue(trimap), parse.GetValue(alphaOut), parse.GetValue(output)));
        return command;
    }

    private static int Run(CommandContext context, string imagePath, string trimapPath, string? alphaPath, string? outputPath)
    {
        if (alphaPath is null && outputPath is null)
            throw new UsageException("Nothing to write: give --alpha-out <alpha.png> and/or -o <cutout.png>.");
        if (outputPath is not null) ImageFiles.CheckColorOutputName(outputPath);
        if (alphaPath is not null) ImageFiles.CheckGrayOutputName(alphaPath);
        OutputFiles.CheckWritable(outputPath);
        OutputFiles.CheckWritable(alphaPath);
        var image = ImageFiles.ReadColor(imagePath);
        var (tw, th, grey) = ImageFiles.ReadGray(trimapPath, "trimap");
        ImageGuard.SameSize($"trimap '{Path.GetFileName(trimapPath)}'", tw, th, image.Width, image.Height);
        var trimap = Trimap.FromGray(tw, th, grey);

        MatteResult result;
        using (var progress = new ConsoleProgress(context.Error, "Matting"))
            result = RefineMatte.FromTrimap(image, trimap, progress: progress, cancellationToken: context.Cancellation);

        WriteOutputs(context, image, result, alphaPath, outputPath);
        return ExitCodes.Success;
    }

    /// <summary>Writes the matte's files all-or-nothing (shared with <c>cut --matte</c>).</summary>
    internal static void WriteOutputs(CommandContext context, ColorImage image, MatteResult result, string? alphaPath, string? outputPath, (string Path, byte[] Bytes)? extra = null)
    {
        var outputs = new OutputFiles();
        if (outputPath is not null) outputs.Add(outputPath, ImageFiles.EncodeColor(result.Foreground, outputPath));
        if (alphaPath is not null) outputs.Add(alphaPath, ImageFiles.EncodeGray(image.Width, image.Height, result.Alpha.ToBytes(), alphaPath));
        if (extra is { } e) outputs.Add(e.Path, e.Bytes);
        outputs.Commit(context.Cancellation);
        long unknown = result.Trimap.Count(TrimapLabel.Unknown);
        context.Out.WriteLine($"{Path.GetFileName(outputPath ?? alphaPath)}: matted {unknown} unknown pixels ({100.0 * unknown / image.PixelCount:F1} %)");
    }
}
