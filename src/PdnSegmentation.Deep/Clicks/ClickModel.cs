using PdnSegmentation.Clicks;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;
using PdnSegmentation.Deep.Sam;
using PdnSegmentation.Deep.Subject;
using PdnSegmentation.Imaging;
using PdnSegmentation.ObjectModels;

namespace PdnSegmentation.Deep.Clicks;

/// <summary>
/// Which model, if any, gives the click engine its prior: "classic" none; a Segment Anything model its mask for the
/// clicks; a subject model (the bundled u2netp) its salient object. By default an installed Segment Anything model, else
/// the bundled u2netp — so clicking works out of the box, with no download. Hosts (pdnseg select, the Segment Anything
/// effect, the benchmark) choose through this one place.
/// </summary>
public sealed class ClickModel : IDisposable
{
    public const string Classic = "classic";

    private readonly SubjectSelector? _subject;
    private readonly SegmentAnything? _sam;
    // Set when the subject model is borrowed from a host's shared open models: returned, not closed, on Dispose.
    private SubjectSelectorCache.Lease? _lease;

    private ClickModel(string name, string description, SubjectSelector? subject, SegmentAnything? sam)
    {
        Name = name;
        Description = description;
        _subject = subject;
        _sam = sam;
    }

    /// <summary>"classic", or the model's name.</summary>
    public string Name { get; }

    /// <summary>What runs, in the user's words (e.g. "click engine with u2netp").</summary>
    public string Description { get; }

    /// <summary>How often the Segment Anything encoder ran (once per photo; 0 for the other engines).</summary>
    public int EncoderRuns => _sam?.EncoderRuns ?? 0;

    /// <summary>The model's device, or null for the classic engine.</summary>
    public IDeviceModel? DeviceModel => (IDeviceModel?)_sam ?? _subject;

    /// <param name="name">null or "auto": an installed Segment Anything model, else the bundled u2netp; "classic": no model; or an installed model's name.</param>
    /// <param name="cpuThreads">Threads one run of a subject model may use on the CPU (0 = one per physical core); Segment
    /// Anything takes photos one at a time (<see cref="SupportsConcurrentImages"/>), so it always has them all.</param>
    /// <param name="shared">A long-lived host's open models (the plugin's): a subject model is borrowed from it, with
    /// every core, instead of opened for this engine alone.</param>
    public static ClickModel Open(ModelStore store, string? name, ExecutionDevice device, int cpuThreads = 0, SubjectSelectorCache? shared = null)
    {
        if (name == Classic) return new ClickModel(Classic, "click engine (graph cut, no model)", null, null);
        InstalledModel model;
        if (name is null or "auto")
            model = store.Find(InstalledModel.SegmentAnythingTask, null) ?? store.Subject(null);
        else
            model = store.Discover().FirstOrDefault(m => m.Name == name && m.Task is InstalledModel.SegmentAnythingTask or SubjectSelector.Task)
                    ?? throw new ModelException($"'{name}' is neither 'classic' nor an installed Segment Anything or subject model in {store}. 'pdnseg models list' shows them.");
        if (model.Task == InstalledModel.SegmentAnythingTask)
            return new ClickModel(model.Name, $"click engine with Segment Anything ({model.Name})", null, SegmentAnything.Open(model, device));
        string description = $"click engine with {model.Name}'s salient object";
        if (shared is not null)
        {
            var lease = shared.Rent(model, device);
            return new ClickModel(model.Name, description, lease.Selector, null) { _lease = lease };
        }
        return new ClickModel(model.Name, description, SubjectSelector.Open(model, new SelectSubjectOptions { Device = device, Refinement = null, CpuThreads = cpuThreads }), null);
    }

    /// <summary>
    /// Whether priors for several photos may be computed at once (a batch): the subject model's runs are
    /// independent; Segment Anything keeps one cache of image embeddings, so its photos go one at a time.
    /// </summary>
    public bool SupportsConcurrentImages => _sam is null;

    /// <summary>The prior for one photo (the subject model runs once per photo, on first use).</summary>
    public IClickPrior? PriorFor(ColorImage image) =>
        _sam is not null ? new SamClickPrior(_sam, image, Name) : _subject is not null ? new ObjectModelClickPrior(_subject, image) : null;

    public void Dispose()
    {
        if (_lease is not null) _lease.Dispose();
        else _subject?.Dispose();
        _sam?.Dispose();
    }
}
