using PdnSegmentation.Clicks;
using PdnSegmentation.Imaging;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.ObjectModels;

public sealed record ObjectModelClickPriorOptions
{
    /// <summary>
    /// How a box is shown to the model and how far its answer is trusted: as Smart Cut's selection
    /// (<see cref="PromptedPrior"/>), so <c>select --box</c> and the Segment Anything effect's box know what Smart Cut knows.
    /// </summary>
    public PromptedPriorOptions Box { get; init; } = new();

    /// <summary>
    /// Zoom-in (as in RITM's evaluation): from the second click on, the model is run on the bounds of the current
    /// selection and the object clicks, grown by these margins of its size on each side.
    /// </summary>
    public IReadOnlyList<double> ZoomMargins { get; init; } = [0.2];

    /// <summary>
    /// The zoomed view is run again only when the selection's bounds leave it, or shrink below this fraction of the area
    /// they had when it was made: a model run costs several later clicks' worth of time.
    /// </summary>
    public double ZoomShrink { get; init; } = 0.5;

    /// <summary>Whole-photo and zoomed views larger than this are shown to the model reduced (<see cref="ModelCrops.DefaultMaxModelPixels"/>).</summary>
    public int MaxModelPixels { get; init; } = ModelCrops.DefaultMaxModelPixels;
}

/// <summary>
/// An object model's view of the object being clicked, for the click engine: the user's box as Smart Cut sees a selection;
/// before any selection exists, the photo's salient object; then, zoomed in, the part of the photo around the current
/// selection. The model speaks only for an object an object click lies on (probability ≥ ½ there): otherwise the user is
/// after something else and it says nothing. Outside the part it was shown, it says nothing either (NaN).
/// </summary>
public sealed class ObjectModelClickPrior(IObjectModel model, ColorImage image, ObjectModelClickPriorOptions? options = null) : IClickPrior, IBoxCutter
{
    private readonly ObjectModelClickPriorOptions _options = options ?? new ObjectModelClickPriorOptions();
    private float[]? _salient;
    private (PixelRect Region, PixelRect Window, float[] Map)? _zoom;
    private (PixelRect Box, float[]? Map)? _box;
    private (PixelRect Box, PromptedPrior Prompt)? _boxPrompt;

    public string Name => model.Name;

    /// <summary>How many times the model ran on a view of the photo (the whole photo, the box, each zoom).</summary>
    public int Views { get; private set; }

    public float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, Mask? selection, CancellationToken cancellationToken)
    {
        if (selection is null || selection.IsEmpty)
        {
            var first = box is { } b ? BoxMap(b, cancellationToken) : Salient(cancellationToken);
            // A box alone (no object click yet) is the prompt itself; with clicks the model must see the clicked object.
            return first is not null && (SeesAClickedObject(first, clicks) || (box is not null && !clicks.Any(c => c.Positive))) ? first : null;
        }
        // Of the views that see the clicked object — the zoomed one, the first one (the box or the whole photo) — the one
        // that best explains the selection the user has built so far.
        var zoomed = Zoomed(Click.SelectionBounds(selection, clicks, box), cancellationToken);
        var whole = box is { } bx ? BoxMap(bx, cancellationToken) : Salient(cancellationToken);
        float[]? best = null;
        double bestAgreement = -1;
        foreach (var view in new[] { zoomed, whole }) // the zoomed view first: it wins ties
        {
            if (view is null || !SeesAClickedObject(view, clicks)) continue;
            double agreement = Agreement(view, selection);
            if (agreement > bestAgreement) (best, bestAgreement) = (view, agreement);
        }
        return best;
    }

    private bool SeesAClickedObject(float[] map, IReadOnlyList<Click> clicks) => clicks.Any(c => c.Positive && map[c.Y * image.Width + c.X] >= 0.5f);

    /// <summary>IoU of the view's object (probability ≥ ½; no opinion counts as not object) with the selection.</summary>
    private static double Agreement(float[] map, Mask selection)
    {
        var bits = selection.Bits;
        long both = 0, either = 0;
        for (int i = 0; i < map.Length; i++)
        {
            bool a = map[i] >= 0.5f, b = bits[i] != 0;
            if (a && b) both++;
            if (a || b) either++;
        }
        return either == 0 ? 0 : (double)both / either;
    }

    /// <summary>The photo's salient object, computed once (reduced for the model above <see cref="ObjectModelClickPriorOptions.MaxModelPixels"/>).</summary>
    private float[] Salient(CancellationToken cancellationToken)
    {
        if (_salient is not null) return _salient;
        var (_, map) = ModelCrops.Run(image, new PixelRect(0, 0, image.Width, image.Height), [0], model, _options.MaxModelPixels, null, cancellationToken);
        Views++;
        return _salient = map;
    }

    /// <summary>A box before any click is cut as Smart Cut cuts a rectangular selection (<see cref="ModelGuidedCut"/>).</summary>
    public Mask CutBox(PixelRect box, IProgress<double>? progress, CancellationToken cancellationToken) =>
        ModelGuidedCut.SegmentWithPrior(image, GrabCutInput.FromRectangle(box), BoxPrompt(box, cancellationToken), null, progress, cancellationToken).Foreground;

    /// <summary>The model's view of the box, as Smart Cut's of a selection (computed once per box).</summary>
    private PromptedPrior BoxPrompt(PixelRect box, CancellationToken cancellationToken)
    {
        if (_boxPrompt is { } cached && cached.Box == box) return cached.Prompt;
        var prompt = PromptedPrior.Compute(image, GrabCutInput.FromRectangle(box), model, _options.Box, null, cancellationToken);
        Views++;
        _boxPrompt = (box, prompt);
        return prompt;
    }

    /// <summary>The box as Smart Cut's selection: the model's probability inside it, softened by the trust (null when not trusted).</summary>
    private float[]? BoxMap(PixelRect box, CancellationToken cancellationToken)
    {
        if (_box is { } cached && cached.Box == box) return cached.Map;
        var prompt = BoxPrompt(box, cancellationToken);
        float[]? map = null;
        double trust = prompt.Trust.Value;
        if (trust > 0)
        {
            map = Canvas(0);
            var window = prompt.Window;
            var probability = prompt.Probability;
            for (int y = 0; y < window.Height; y++)
            {
                var from = probability.Slice(y * window.Width, window.Width);
                var to = map.AsSpan((window.Y + y) * image.Width + window.X, window.Width);
                // Partial trust scales the model's log-odds: p' = σ(trust · logit p).
                for (int x = 0; x < from.Length; x++) to[x] = trust >= 1 ? from[x] : 1 / (1 + MathF.Exp(-(float)trust * ObjectPrior.ToLogOdds(from[x])));
            }
        }
        _box = (box, map);
        return map;
    }

    /// <summary>The model on the zoomed view, run again only when the region leaves the last view or shrinks well inside it.</summary>
    private float[] Zoomed(PixelRect region, CancellationToken cancellationToken)
    {
        if (_zoom is { } z && z.Window.Contains(region) && region.Area >= _options.ZoomShrink * z.Region.Area) return z.Map;
        var (window, probability) = ModelCrops.Run(image, region, _options.ZoomMargins, model, _options.MaxModelPixels, null, cancellationToken);
        Views++;
        var map = Canvas(float.NaN);
        for (int y = 0; y < window.Height; y++)
            probability.AsSpan(y * window.Width, window.Width).CopyTo(map.AsSpan((window.Y + y) * image.Width + window.X, window.Width));
        _zoom = (region, window, map);
        return map;
    }

    private float[] Canvas(float value)
    {
        var map = new float[image.Width * image.Height];
        if (!(value == 0)) Array.Fill(map, value); // NaN: no opinion
        return map;
    }
}
