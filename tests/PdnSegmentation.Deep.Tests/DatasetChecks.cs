using System.Globalization;
using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;
using Xunit.Abstractions;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// Select Subject and click selection on the real datasets (../shared; skipped without them). Accuracy only: the
/// benchmarks measure time.
/// </summary>
public class DatasetChecks(ITestOutputHelper output)
{
    private static ModelStore Store => new(Path.Combine(SharedData.RepositoryRoot(), "models"), Path.Combine(Path.GetTempPath(), "pdnseg-no-user-models"));

    /// <summary>The background remover's mean IoU on the set, as recorded beside it.</summary>
    private static double PeerMeanIoU(string folder) =>
        File.ReadLines(Path.Combine(folder, "peer-imgly-isnet", "scores.csv")).Skip(1).Where(l => l.Length > 0)
            .Average(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture));

    [DatasetFact("grabcut")]
    public void OnTheGrabCutSetTheRefinementImprovesOnTheModel() => Subject("grabcut", minimum: 0.80, beatPeer: false);

    [DatasetFact("berkeley")]
    public void OnTheBerkeleySetTheRefinedSubjectBeatsTheBackgroundRemover() => Subject("berkeley", minimum: 0.77, beatPeer: true);

    private void Subject(string name, double minimum, bool beatPeer)
    {
        string folder = SharedData.Dataset(name)!;
        using var selector = SubjectSelector.Open(Store.Subject("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        double model = 0, refined = 0;
        var samples = SegmentationDataset.Open(folder).Samples;
        foreach (var sample in samples)
        {
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            var (probability, pixelSize) = selector.Probability(image);
            model += SegmentationScore.Compute(Mask.FromProbability(image.Width, image.Height, probability.Values), truth).IoU;
            refined += SegmentationScore.Compute(SoftMaskRefinement.Refine(image, probability.Values, pixelSize), truth).IoU;
        }
        model /= samples.Count;
        refined /= samples.Count;
        double peer = PeerMeanIoU(folder);
        output.WriteLine($"{name}: mean IoU model {model:F4}, refined {refined:F4}, background remover {peer:F4}");
        Assert.True(refined > model + 0.01, $"refined {refined:F4} is not above the model's {model:F4}");
        Assert.True(refined >= minimum, $"refined {refined:F4} below {minimum}");
        if (beatPeer) Assert.True(refined >= peer, $"refined {refined:F4} below the background remover's {peer:F4}");
    }

    [DatasetFact("grabcut")]
    public void OnGrabCutImagesAFewClicksReachNinetyPercent() => Clicks("grabcut", images: 10, maxMeanNoc90: 4.5);

    [DatasetFact("berkeley")]
    public void OnBerkeleyImagesAFewClicksReachNinetyPercent() => Clicks("berkeley", images: 10, maxMeanNoc90: 7.5);

    /// <summary>The default click engine (bundled u2netp prior) under the benchmark's protocol on the set's first images.</summary>
    private void Clicks(string name, int images, double maxMeanNoc90)
    {
        string folder = SharedData.Dataset(name)!;
        using var engine = ClickModel.Open(Store, null, ExecutionDevice.Cpu);
        var nocs = new List<int>();
        foreach (var sample in SegmentationDataset.Open(folder).Samples.Take(images))
        {
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            var protocol = new ClickProtocol(image.Width, image.Height, truth);
            var session = new ClickSession(image, null, null, engine.PriorFor(image));
            var prediction = new Mask(image.Width, image.Height);
            var ious = new List<double>();
            while (ious.Count < 20 && (ious.Count == 0 || ious[^1] < 0.9) && protocol.Next(prediction) is { } click)
            {
                prediction = session.Add(click);
                Assert.Equal(click.Positive, prediction[click.X, click.Y]); // a clicked pixel keeps its label
                ious.Add(protocol.IoU(prediction));
            }
            nocs.Add(ClickProtocol.ClicksToReach(ious, 0.90, 20));
        }
        output.WriteLine($"{name}: NoC@90 {string.Join(" ", nocs)}, mean {nocs.Average():F2}");
        Assert.True(nocs.Average() <= maxMeanNoc90, $"mean NoC@90 {nocs.Average():F2} above {maxMeanNoc90}");
    }

    // Smart Cut (issue 30's targets) on every public set's selections: the fused cut against GrabCut alone, IoU over the
    // image and error inside the selection's box, the ground truth's boundary band excluded (as `bench boxes`).
    [DatasetFact("grabcut")]
    public void SmartCutOnTheGrabCutSetsRectanglesReachesItsTargets() => SmartCut("grabcut", null, minimumIoU: 0.92, maximumError: 0.036);

    [DatasetFact("berkeley")]
    public void SmartCutOnTheBerkeleyRectanglesReachesItsTargets() => SmartCut("berkeley", null, minimumIoU: 0.86, maximumError: 0.06);

    [DatasetFact("grabcut")]
    public void SmartCutOnTheGrabCutSetsLassoSelectionsBeatsGrabCutAlone() => SmartCut("grabcut", "trimaps_lasso", minimumIoU: 0.95, maximumError: 0.02);

    private void SmartCut(string name, string? selections, double minimumIoU, double maximumError)
    {
        string folder = SharedData.Dataset(name)!;
        using var selector = SubjectSelector.Open(Store.Subject("u2netp"), new SelectSubjectOptions { Device = ExecutionDevice.Cpu, Refinement = null });
        var samples = SegmentationDataset.Open(folder).Samples;
        double fusedIoU = 0, fusedError = 0, plainIoU = 0;
        var below = new List<string>();
        foreach (var sample in samples)
        {
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            var input = selections is null ? GrabCutInput.FromRectangle(sample.Box)
                : GrabCutInput.FromRegion(ImageFiles.ReadSelection(Path.Combine(folder, selections, sample.Name + ".png"), "selection", image.Width, image.Height));
            var scored = input.SelectionBounds(image.Width, image.Height);
            var plain = SegmentationScore.Compute(GrabCut.Segment(image, input).Foreground, truth, scored);
            var prompt = PromptedPrior.Compute(image, input, selector);
            // A whole-photo selection whose model finds no subject is refused (the user is asked to select); scored as GrabCut's guess.
            var fused = prompt.Trust.FoundNoSubject ? plain : SegmentationScore.Compute(ModelGuidedCut.SegmentWithPrior(image, input, prompt).Foreground, truth, scored);
            fusedIoU += fused.IoU;
            fusedError += fused.ErrorRate;
            plainIoU += plain.IoU;
            if (fused.IoU < plain.IoU - 0.05) below.Add(sample.Name);
        }
        int n = samples.Count;
        output.WriteLine($"{name}{(selections is null ? "" : " " + selections)}: Smart Cut mean IoU {fusedIoU / n:F4}, error {fusedError / n:P2}; " +
                         $"GrabCut alone {plainIoU / n:F4}; more than 0.05 below it: {string.Join(", ", below)}");
        Assert.True(fusedIoU / n >= minimumIoU, $"mean IoU {fusedIoU / n:F4} below {minimumIoU}");
        Assert.True(fusedError / n <= maximumError, $"mean error {fusedError / n:P2} above {maximumError:P1}");
        Assert.True(fusedIoU >= plainIoU, "Smart Cut below GrabCut alone");
        Assert.True(below.Count <= 2, $"{below.Count} images more than 0.05 IoU below GrabCut alone: {string.Join(", ", below)}");
    }
}
