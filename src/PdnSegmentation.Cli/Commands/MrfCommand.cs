using System.CommandLine;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Cli.Terminal;
using PdnSegmentation.Mrf;

namespace PdnSegmentation.Cli.Commands;

/// <summary><c>pdnseg mrf</c>: segment an image into L regions (Gaussian colour labels, Potts MRF).</summary>
public static class MrfCommand
{
    public static Command Create(CommandContext context)
    {
        var image = new Argument<string>("image") { Description = "The photo (PNG, JPEG, BMP, TIFF, WebP)." };
        var labels = new Option<int>("--labels") { Description = "Number of regions L (2..255); their colours are found by k-means.", Required = true };
        var beta = new Option<double>("--beta") { Description = "Potts coupling β: the cost of neighbours taking different labels (higher = smoother regions).", DefaultValueFactory = _ => new PottsOptions().Coupling };
        var method = new Option<string>("--method") { Description = "expansion (α-expansion graph cuts, the default) or icm (iterated conditional modes, fast and greedy).", DefaultValueFactory = _ => "expansion" };
        method.AcceptOnlyFromAmong("expansion", "icm");
        var neighbours = new Option<int>("--neighbours") { Description = "Neighbourhood: 4 or 8.", DefaultValueFactory = _ => 8 };
        neighbours.AcceptOnlyFromAmong("4", "8");
        var output = new Option<string>("--output", "-o") { Description = "Label image: grey levels 0..255 spread evenly over the labels.", Required = true };
        var command = new Command("mrf", "Segment an image into L regions: Gaussian colour likelihoods with a Potts prior, MAP by α-expansion (or ICM).")
        {
            image, labels, beta, method, neighbours, output,
        };
        command.SetAction(parse => Run(context, parse.GetRequiredValue(image), parse.GetValue(labels), parse.GetValue(beta),
            parse.GetRequiredValue(method), parse.GetValue(neighbours), parse.GetRequiredValue(output)));
        return command;
    }

    private static int Run(CommandContext context, string imagePath, int labelCount, double beta, string method, int neighbours, string outputPath)
    {
        if (labelCount is < 2 or > 255) throw new UsageException($"--labels must be between 2 and 255 (got {labelCount}).");
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new UsageException($"--beta must be a non-negative number (got {beta}).");
        ImageFiles.CheckGrayOutputName(outputPath);
        OutputFiles.CheckWritable(outputPath);
        var image = ImageFiles.ReadColor(imagePath, "image", context.MaxPixels);
        var models = LabelModels.FromImage(image, labelCount);
        var options = new PottsOptions { Coupling = beta, EightNeighbours = neighbours == 8 };
        PottsResult result;
        using (var progress = new ConsoleProgress(context.Error, "MRF"))
            result = method == "icm"
                ? PottsSegmentation.Icm(image, models, options, context.Cancellation)
                : PottsSegmentation.AlphaExpansion(image, models, options, progress, context.Cancellation);

        var grey = new byte[result.Labels.Length];
        for (int i = 0; i < grey.Length; i++) grey[i] = (byte)(result.Labels[i] * 255 / (labelCount - 1));
        var outputs = new OutputFiles();
        outputs.Add(outputPath, ImageFiles.EncodeGray(image.Width, image.Height, grey, outputPath));
        outputs.Commit(context.Cancellation);
        context.Out.WriteLine($"{Path.GetFileName(outputPath)}: {labelCount} labels, energy {result.EnergyPerCycle[0]:F0} (maximum likelihood) → {result.Energy:F0} " +
                              $"after {result.EnergyPerCycle.Count - 1} {(method == "icm" ? "ICM sweeps" : "expansion cycles")}");
        return ExitCodes.Success;
    }
}
