using PdnSegmentation.Cli.Benchmarks;
using PdnSegmentation.Cli.Files;
using PdnSegmentation.Evaluation;
using PdnSegmentation.Segmentation;
using PdnSegmentation.TestSupport;
using Xunit.Abstractions;

namespace PdnSegmentation.Tests;

/// <summary>
/// Accuracy on the real datasets (CI has them in ../shared): our GrabCut's mean error rate is at most OpenCV's
/// on the same rectangles with the same iteration count. Timing is the benchmark's business, not a test's.
/// </summary>
public class GrabCutDatasetChecks(ITestOutputHelper output)
{
    [DatasetFact("grabcut")]
    public void GrabCutDatabaseErrorRateIsAtMostOpenCvs() => Compare("grabcut", maxMeanError: 0.085);

    [DatasetFact("berkeley")]
    public void BerkeleyErrorRateIsAtMostOpenCvs() => Compare("berkeley", maxMeanError: 0.145);

    private void Compare(string name, double maxMeanError)
    {
        var dataset = SegmentationDataset.Open(SharedData.Dataset(name)!);
        var options = new GrabCutOptions { MaxIterations = 5, ConvergenceTolerance = 0 };
        double ours = 0, peer = 0;
        int both = 0;
        foreach (var sample in dataset.Samples)
        {
            var image = ImageFiles.ReadColor(sample.ImagePath);
            var (_, _, truth) = ImageFiles.ReadGray(sample.MaskPath, "ground truth");
            using var opencv = new OpenCvGrabCut(image);
            PdnSegmentation.Imaging.Mask peerMask;
            try { peerMask = opencv.Segment(sample.Box, 5); }
            catch (OpenCvSharp.OpenCVException) { continue; } // OpenCV refuses whole-image rectangles
            var oursMask = GrabCut.Segment(image, GrabCutInput.FromRectangle(sample.Box), options).Foreground;
            ours += SegmentationScore.Compute(oursMask, truth, sample.Box).ErrorRate;
            peer += SegmentationScore.Compute(peerMask, truth, sample.Box).ErrorRate;
            both++;
        }
        ours /= both;
        peer /= both;
        output.WriteLine($"{name}: {both} images, mean error ours {ours:P2}, OpenCV {peer:P2}");
        Assert.True(both >= 30, $"only {both} images ran");
        Assert.True(ours <= peer, $"mean error ours {ours:P2} > OpenCV {peer:P2}");
        Assert.True(ours <= maxMeanError, $"mean error {ours:P2} above {maxMeanError:P1}");
    }
}
