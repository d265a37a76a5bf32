using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.LazySnapping;
using PdnSegmentation.Scribbles;
using PdnSegmentation.TestSupport;
using Xunit.Abstractions;

namespace PdnSegmentation.Tests;

/// <summary>
/// Lazy Snapping on the GrabCut set's published scribbles (CI has them in ../shared): mean error over all pixels
/// (boundary band excluded) at most 3 % with the detailed scribbles2, and with the sparse scribbles1 at most that of
/// OpenCV's grabCut initialised from the same strokes.
/// </summary>
public class LazySnapDatasetChecks(ITestOutputHelper output)
{
    [DatasetFact("grabcut")]
    public void DetailedScribblesGiveAtMostThreePercentError()
    {
        var (ours, _) = MeanErrors("scribbles2", withPeer: false);
        Assert.True(ours <= 0.03, $"mean error {ours:P2}");
    }

    [DatasetFact("grabcut")]
    public void SparseScribblesDoAtLeastAsWellAsOpenCvGrabCutFromTheSameStrokes()
    {
        var (ours, peer) = MeanErrors("scribbles1", withPeer: true);
        Assert.True(ours <= peer, $"mean error ours {ours:P2} > OpenCV {peer:P2}");
    }

    private (double Ours, double Peer) MeanErrors(string set, bool withPeer)
    {
        string root = SharedData.Dataset("grabcut")!;
        var dataset = SegmentationDataset.Open(root);
        double ours = 0, peer = 0;
        int count = 0;
        foreach (var sample in dataset.Samples)
        {
            string path = Path.Combine(root, set, sample.Name + ".png");
            if (!File.Exists(path)) continue;
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            var strokes = ScribbleMasks.FromColorImage(ImageFiles.ReadColor(path), LazySnapBenchmark.ObjectStroke, LazySnapBenchmark.BackgroundStroke);
            ours += SegmentationScore.Compute(new LazySnapSession(image).Segment(strokes).Foreground, truth).ErrorRate;
            if (withPeer)
            {
                using var opencv = new OpenCvGrabCut(image);
                peer += SegmentationScore.Compute(opencv.SegmentFromStrokes(strokes.Foreground, strokes.Background, 5), truth).ErrorRate;
            }
            count++;
        }
        output.WriteLine($"{set}: {count} images, mean error Lazy Snapping {ours / count:P2}{(withPeer ? $", OpenCV grabCut from strokes {peer / count:P2}" : "")}");
        Assert.True(count >= 30, $"only {count} images have {set}");
        return (ours / count, peer / count);
    }
}
