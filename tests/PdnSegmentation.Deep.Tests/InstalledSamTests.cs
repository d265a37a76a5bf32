using PdnSegmentation.Cli.Files;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Imaging;
using PdnSegmentation.TestSupport;

namespace PdnSegmentation.Deep.Tests;

/// <summary>
/// A fact that needs real Segment-Anything weights installed through the model manager (in the user's models folder);
/// skipped with the reason otherwise. The generated contract model (a few KB) does not count.
/// </summary>
public sealed class InstalledSamFactAttribute : FactAttribute
{
    public InstalledSamFactAttribute()
    {
        if (InstalledSamTests.RealModel() is null)
            Skip = $"needs real Segment Anything weights installed with 'pdnseg models install' (e.g. MobileSAM) in {InstalledSamTests.Store.UserFolder}; none here";
    }
}

public class InstalledSamTests
{
    internal static ModelStore Store => ModelStore.Beside(AppContext.BaseDirectory);

    internal static InstalledModel? RealModel() =>
        Store.Discover(InstalledModel.SegmentAnythingTask).FirstOrDefault(m => m.Files.TryGetValue("encoder", out var encoder) && encoder.Size > 1_000_000);

    [InstalledSamFact]
    public void ABoxAroundTheLemurFindsTheLemur()
    {
        string lemur = Path.Combine(SharedData.RepositoryRoot(), "samples", "lemur");
        var image = ImageFiles.ReadColor(Path.Combine(lemur, "lemur.png"));
        var (w, h, trimap) = ImageFiles.ReadGray(Path.Combine(lemur, "lemur_trimap.png"), "trimap");
        int left = w, top = h, right = 0, bottom = 0;
        for (int i = 0; i < trimap.Length; i++)
        {
            if (trimap[i] == 0) continue; // object or unknown: inside the box
            int x = i % w, y = i / w;
            (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x), Math.Max(bottom, y));
        }
        using var sam = SegmentAnything.Open(RealModel()!, ExecutionDevice.Cpu);
        var mask = sam.Segment(image, SamPrompt.FromBox(new PixelRect(left, top, right - left + 1, bottom - top + 1))).Mask;
        double agreement = SelectSubjectTests.AgreementWithTrimap(mask);
        Assert.True(agreement > 0.95, $"{agreement:P1} of the trimap's definite pixels agree");
    }
}
