using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Scissors;
using PdnSegmentation.TestSupport;
using Xunit.Abstractions;

namespace PdnSegmentation.Tests;

/// <summary>
/// Snap to Edges on the real datasets (CI has them in ../shared), on hurried outlines of the ground truth: it improves
/// the drawn outline's IoU and boundary distance, and is at least as accurate as OpenCV's IntelligentScissorsMB between
/// the same anchors. The first 10 images of each set (OpenCV takes about a second per outline); bench scissors runs all.
/// </summary>
public class ScissorsDatasetChecks(ITestOutputHelper output)
{
    [DatasetFact("grabcut")]
    public void GrabCutSet() => Compare("grabcut");

    [DatasetFact("berkeley")]
    public void BerkeleySet() => Compare("berkeley");

    private void Compare(string name)
    {
        var dataset = SegmentationDataset.Open(SharedData.Dataset(name)!);
        var raw = new List<(double IoU, double Distance)>();
        var ours = new List<(double IoU, double Distance)>();
        var peer = new List<(double IoU, double Distance)>();
        foreach (var sample in dataset.Samples.Take(10))
        {
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (w, h, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            var outlines = HurriedOutline.FromTruth(truth, w, h, HurriedOutline.SeedFor(sample.Name));
            if (outlines.Count == 0) continue;
            var drawn = EdgeSnapping.FillDrawn(outlines, w, h);
            foreach (var (list, mask) in new[] { (raw, drawn), (ours, EdgeSnapping.Snap(image, outlines).Foreground), (peer, OpenCvScissors.Snap(image, outlines)) })
                list.Add((SegmentationScore.Compute(mask, truth).IoU, BoundaryDistance.Mean(mask, truth)));
        }
        double Iou(List<(double IoU, double Distance)> l) => l.Average(r => r.IoU);
        double Distance(List<(double IoU, double Distance)> l) => l.Average(r => r.Distance);
        output.WriteLine($"{name}, {ours.Count} images: IoU drawn {Iou(raw):F3}, OpenCV {Iou(peer):F3}, ours {Iou(ours):F3}; " +
                         $"distance drawn {Distance(raw):F2}, OpenCV {Distance(peer):F2}, ours {Distance(ours):F2}");
        Assert.True(ours.Count >= 8);
        Assert.True(Iou(ours) > Iou(raw) + 0.02);
        Assert.True(Distance(ours) < Distance(raw) - 0.5);
        Assert.True(Iou(ours) >= Iou(peer));
        Assert.True(Distance(ours) <= Distance(peer));
    }
}
