using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;
using PdnSegmentation.Segmentation;

namespace PdnSegmentation.Clicks;

/// <summary>
/// Evidence about the clicked object from a model (Segment Anything's mask for these prompts, the bundled salient-object
/// model's probability): an object probability per pixel at the photo's size, or null when the model has nothing to say
/// about this object. The click engine adds it to its own prior; the model lives outside the engine.
/// </summary>
public interface IClickPrior
{
    /// <summary>The name hosts show for the engine that runs with this prior (e.g. "u2netp").</summary>
    string Name { get; }

    /// <returns>Object probability per pixel at the photo's size, NaN where the model has no opinion (outside the part of
    /// the photo it was shown); or null when it has nothing to say about this object.</returns>
    /// <param name="selection">The selection before the latest click, at the photo's size (null before the first cut).</param>
    float[]? Probability(IReadOnlyList<Click> clicks, PixelRect? box, Mask? selection, CancellationToken cancellationToken);
}

/// <summary>
/// A prior that can also cut a box on its own, before any click, as a selection is cut (Smart Cut's engine): a box
/// alone then gives what Smart Cut gives for that rectangle, and the clicks refine it from there.
/// </summary>
public interface IBoxCutter
{
    /// <summary>The object inside <paramref name="box"/> at the photo's size.</summary>
    Mask CutBox(PixelRect box, IProgress<double>? progress, CancellationToken cancellationToken);
}

public sealed record ClickSelectionOptions
{
    /// <summary>Geodesic distance: crossing a colour step of the photo's mean neighbour contrast costs this many pixels of path.</summary>
    public double EdgeCost { get; init; } = 2;

    /// <summary>
    /// A click's influence exp(−d / s) decays with geodesic distance d on the scale s of the region it was placed in: the
    /// distance from the click to the edge of the current selection (a click on a wrongly selected part reaches across that
    /// part), at least this fraction of the photo's longer side — which is also the first click's scale.
    /// </summary>
    public double InfluenceScale { get; init; } = 0.05;

    /// <summary>Object log-odds a click adds at its own place (decaying with its influence), positive or negative.</summary>
    public double ClickStrength { get; init; } = 6;

    /// <summary>Log-odds of background for pixels no positive click reaches: what is not clicked leans to background.</summary>
    public double BackgroundBias { get; init; } = 1;

    /// <summary>The cut starts with the pixels geodesically nearer a positive click than a negative one, within this fraction of the longer side.</summary>
    public double InitialReach { get; init; } = 0.2;

    /// <summary>Radius of the disk a click fixes as hard constraint, in pixels per 500 pixels of the longer side (at least 2).</summary>
    public double ClickRadius { get; init; } = 6;

    /// <summary>
    /// Weight of a model prior's log-odds (clamped to ±<see cref="ModelPriorClamp"/>), when a prior source is given. (Letting
    /// background clicks silence the model's "object" where they reach was tried: GrabCut set better, Berkeley set worse,
    /// worse over both.)
    /// </summary>
    public double ModelPriorWeight { get; init; } = 2;

    public double ModelPriorClamp { get; init; } = 4;

    /// <summary>
    /// Each click that contradicts a confident model — an object click where the model gives the object at most 1 −
    /// <see cref="ConfidentProbability"/>, a background click where it gives at least that — multiplies the model prior's
    /// weight by this, and the model's object no longer seeds the colour models. Such a click says the model has another
    /// object or another outline in mind than the user, and the model yields to the clicks instead of outvoting them click
    /// after click (1 = never, 0 = drops out at once). Clicks where the model is unsure (near its edge) do not count.
    /// </summary>
    public double ContradictionDecay { get; init; } = 0.5;

    public double ConfidentProbability { get; init; } = 0.9;

    /// <summary>
    /// GrabCut iterations per click and its smoothness γ. (Two iterations cost a third less time but measured NoC@90 4.32
    /// instead of 4.03 on the GrabCut set without a model.)
    /// </summary>
    public int Iterations { get; init; } = 3;

    public double Gamma { get; init; } = 50;

    /// <summary>
    /// The cut runs on at most this many pixels: a larger photo is solved at a reduced working size and the result brought
    /// back by a guided filter (its edges follow the photo's), with the clicked pixels and the clean-up applied at full size.
    /// Photos up to this size (the benchmark sets' 0.15 MP) are solved as they are.
    /// </summary>
    public int WorkingPixels { get; init; } = 250_000;

    /// <summary>
    /// Each click's colour models start from k-means on at most this many pixels per side (GrabCut's own cap is 100 000):
    /// on a 0.25 MP cut that clustering took 15 of a click's ~100 ms, and the iterations that follow refit the models to
    /// every pixel anyway. Without / with u2netp, NoC@90 on the GrabCut set 4.03 / 2.00 and on the Berkeley set 7.91 / 5.15
    /// (together with the fresh-model start of <see cref="GrabCut.StartFrom"/>), against 3.88 / 2.06 and 8.02 / 5.20 before.
    /// </summary>
    public int InitializationSamples { get; init; } = 20_000;

    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (WorkingPixels < 4096) throw new ArgumentOutOfRangeException(nameof(WorkingPixels), WorkingPixels, "The working size must be at least 4096 pixels.");
        if (!(EdgeCost >= 0) || !(InfluenceScale > 0) || !(ClickStrength >= 0) || !(InitialReach >= 0) || !(ClickRadius > 0) || !(ModelPriorWeight >= 0) ||
            !(ModelPriorClamp > 0) || !(ContradictionDecay is >= 0 and <= 1) || !(ConfidentProbability is > 0.5 and < 1) || Iterations < 1 || InitializationSamples < 16 || !(Gamma > 0) || !double.IsFinite(BackgroundBias))
            throw new ArgumentOutOfRangeException(nameof(ClickSelectionOptions), "Click selection options out of range.");
    }
}

/// <summary>
/// Click-to-select: positive and negative clicks, optionally a box, added one at a time; after each, the object is cut
/// anew. Each click pins a small disk to its side (a hard constraint) and adds a prior that decays with geodesic distance
/// from it (crossing colour edges is long), so a click flips the region it lands in and little beyond; a GrabCut-style
/// cut with colour models learned from the clicks' regions and a contrast-sensitive edge term does the rest; parts not
/// connected to a positive click are dropped. A model's prior (Segment Anything, the bundled salient-object model) may be
/// added through <see cref="IClickPrior"/>. A click reaches as far as the part of the selection it was placed in (a click
/// on a wrongly selected part pulls over that whole part), so clicks given at once are taken one by one, in order, and
/// give the same mask; each click computes only its own geodesic distances.
/// </summary>
public sealed class ClickSession
{
    private readonly ColorImage _image;
    // The photo the cut runs on: the photo itself, or a reduced copy (see ClickSelectionOptions.WorkingPixels).
    private readonly ColorImage _work;
    private readonly double _scale; // photo pixels per working pixel
    private readonly PixelRect? _workBox;
    private readonly ClickSelectionOptions _options;
    private readonly IClickPrior? _prior;
    private readonly float _edgeWeight;
    private readonly List<Click> _clicks = new();
    // Per working pixel, over the clicks so far: the strongest positive and negative influence, and the geodesically
    // nearest click.
    private readonly float[] _positiveInfluence, _negativeInfluence, _nearest;
    private readonly byte[] _nearestIsPositive;
    // The last cut at working size: where the next click lands decides its reach.
    private Mask? _workMask;
    // The cut's session, kept warm from click to click (null before the first solve).
    private GrabCut? _grabCut;
    // The working-size cut brought to the photo's size along the photo's edges, re-filtering only where it changed.
    private readonly GuidedMaskUpsampler? _upsampler;

    public ClickSession(ColorImage image, ClickSelectionOptions? options = null, PixelRect? box = null, IClickPrior? prior = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        _image = image;
        _options = options ?? new ClickSelectionOptions();
        _options.Validate();
        if (box is { } b)
        {
            if (b.IsEmpty) throw new SegmentationInputException($"The box {b} is empty: give it a positive width and height.");
            if (b.Intersect(new PixelRect(0, 0, image.Width, image.Height)).IsEmpty)
                throw new SegmentationInputException($"The box {b} lies outside the {image.Width}×{image.Height} image: give a box that overlaps it.");
            Box = b.Intersect(new PixelRect(0, 0, image.Width, image.Height));
        }
        _prior = prior;
        _scale = Math.Max(1, Math.Sqrt((double)image.PixelCount / _options.WorkingPixels));
        _work = _scale > 1
            ? PixelMaps.Resize(image, Math.Max(1, (int)Math.Round(image.Width / _scale)), Math.Max(1, (int)Math.Round(image.Height / _scale)))
            : image;
        if (Box is { } full)
        {
            int x0 = ToWork(full.X, _work.Width - 1), y0 = ToWork(full.Y, _work.Height - 1);
            int x1 = ToWork(full.Right - 1, _work.Width - 1), y1 = ToWork(full.Bottom - 1, _work.Height - 1);
            _workBox = new PixelRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        }
        if (_scale > 1)
            _upsampler = new GuidedMaskUpsampler(image, _work.Width, _work.Height, Math.Max(2, (int)Math.Round(2 * _scale)), 1e-3, _options.MaxDegreeOfParallelism);
        double contrast = Math.Sqrt(Math.Max(1, NeighbourContrast.MeanSquaredDifference(_work, _options.MaxDegreeOfParallelism)));
        _edgeWeight = (float)(_options.EdgeCost / contrast);
        int n = _work.Width * _work.Height;
        _positiveInfluence = new float[n];
        _negativeInfluence = new float[n];
        _nearest = new float[n];
        _nearestIsPositive = new byte[n];
        Array.Fill(_nearest, float.PositiveInfinity);
    }

    public PixelRect? Box { get; }
    public IReadOnlyList<Click> Clicks => _clicks;

    /// <summary>The object after the last click (null before the first).</summary>
    public Mask? Mask { get; private set; }

    public Mask Add(Click click, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        AddRange([click], progress, cancellationToken);

    /// <summary>
    /// Adds clicks in order (all validated before any is taken), cutting the object after each as if they had been clicked
    /// one by one: a click's reach depends on the selection it was placed in.
    /// </summary>
    public Mask AddRange(IEnumerable<Click> clicks, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var added = clicks.ToList();
        foreach (var c in added) Check(c);
        if (Box is null && !_clicks.Concat(added).Any(c => c.Positive))
            throw new SegmentationInputException("There is no click on the object yet: click on the object (or draw a box around it) first; background clicks only say what is not the object.");
        var scope = ProgressScope.For(progress);
        if (added.Count == 0) (_workMask, Mask) = Solve(scope, cancellationToken);
        for (int k = 0; k < added.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Absorb(added[k]);
            _clicks.Add(added[k]);
            // Without a box, background clicks before the first object click have no selection to act on yet.
            if (Box is not null || _clicks.Any(c => c.Positive))
                (_workMask, Mask) = Solve(scope.Slice((double)k / added.Count, (k + 1.0) / added.Count), cancellationToken);
        }
        return Mask!;
    }

    private void Check(Click click)
    {
        if ((uint)click.X >= (uint)_image.Width || (uint)click.Y >= (uint)_image.Height)
            throw new SegmentationInputException($"The click {click} lies outside the {_image.Width}×{_image.Height} image.");
        if (click.Positive && Box is { } box && !box.Contains(click.X, click.Y))
            throw new SegmentationInputException($"The object click {click} lies outside the box {box}: the object is inside the box.");
    }

    private int ToWork(int coordinate, int max) => Math.Clamp((int)((coordinate + 0.5) / _scale), 0, max);

    private Click ToWork(Click click) => click with { X = ToWork(click.X, _work.Width - 1), Y = ToWork(click.Y, _work.Height - 1) };

    /// <summary>The hard disk's radius on an image of this size: ClickRadius per 500 pixels of its longer side, at least 2.</summary>
    private int RadiusFor(int width, int height) => Math.Max(2, (int)Math.Round(_options.ClickRadius * Math.Max(width, height) / 500.0));

    /// <summary>The click's geodesic distances folded into the running influences and nearest-click map.</summary>
    private void Absorb(Click click)
    {
        int w = _work.Width, h = _work.Height;
        var seed = new byte[w * h];
        Disk(seed, w, h, ToWork(click), RadiusFor(w, h));
        var distance = GeodesicDistance.Compute(_work, seed, _edgeWeight);
        float scale = (float)Math.Max(_options.InfluenceScale * Math.Max(w, h), DistanceToSelectionEdge(ToWork(click)));
        var influence = click.Positive ? _positiveInfluence : _negativeInfluence;
        for (int i = 0; i < distance.Length; i++)
        {
            float d = distance[i];
            influence[i] = Math.Max(influence[i], MathF.Exp(-d / scale));
            if (d < _nearest[i])
            {
                _nearest[i] = d;
                _nearestIsPositive[i] = click.Positive ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>How far the click lies from the edge of the current selection (0 before there is one).</summary>
    private float DistanceToSelectionEdge(Click click)
    {
        if (_workMask is not { } mask) return 0;
        var bits = mask.Bits;
        int w = mask.Width;
        byte side = bits[click.Y * w + click.X];
        var otherSide = new byte[bits.Length];
        for (int i = 0; i < bits.Length; i++) otherSide[i] = bits[i] != side ? (byte)1 : (byte)0;
        float d = PixelMaps.DistanceToTargets(otherSide, w, mask.Height)[click.Y * w + click.X];
        return float.IsFinite(d) ? d : 0;
    }

    /// <summary>How many clicks contradict the model where it is confident (see <see cref="ClickSelectionOptions.ContradictionDecay"/>).</summary>
    private int Contradictions(float[] probability, int w, int h)
    {
        float confident = (float)_options.ConfidentProbability;
        return _clicks.Count(c =>
        {
            float p = probability[ToWork(c.Y, h - 1) * w + ToWork(c.X, w - 1)];
            return c.Positive ? p <= 1 - confident : p >= confident;
        });
    }

    /// <summary>The cut for the clicks so far, at working size and at the photo's size.</summary>
    private (Mask Work, Mask Full) Solve(ProgressScope progress, CancellationToken cancellationToken)
    {
        int w = _work.Width, h = _work.Height;
        if (_clicks.Count == 0 && Box is { } selected && _prior is IBoxCutter cutter)
        {
            var boxCut = cutter.CutBox(selected, progress, cancellationToken);
            ImageGuard.SameSize("box cut", boxCut.Width, boxCut.Height, _image.Width, _image.Height);
            return (_scale > 1 ? ToWorkingSize(boxCut) : boxCut, boxCut);
        }
        var workClicks = _clicks.Select(ToWork).ToList();
        var (objectHints, backgroundHints) = Hints(workClicks, w, h);
        var external = _prior?.Probability(_clicks, Box, Mask, cancellationToken);
        if (external is not null && external.Length != _image.Width * _image.Height)
            throw new ImageSizeMismatchException($"The model prior has {external.Length} values but the photo is {_image.Width}×{_image.Height}.");
        if (external is not null && _scale > 1) external = PixelMaps.ResizeFloat(external, _image.Width, _image.Height, w, h);
        progress.Report(0.2);

        var logOdds = new float[w * h];
        var initial = new Mask(w, h);
        var initialBits = initial.Bits;
        float reach = (float)(_options.InitialReach * Math.Max(w, h));
        // With only a box (no object click yet) nothing leans either way and the cut starts from the whole box, as GrabCut's.
        bool clicked = _clicks.Any(c => c.Positive);
        float strength = (float)_options.ClickStrength, bias = clicked ? (float)_options.BackgroundBias : 0;
        float modelWeight = (float)_options.ModelPriorWeight, clamp = (float)_options.ModelPriorClamp;
        // A contradicted model neither outvotes the clicks nor seeds the colour models with its object.
        float trust = external is null ? 1 : (float)Math.Pow(_options.ContradictionDecay, Contradictions(external, w, h));
        modelWeight *= trust;
        for (int i = 0; i < logOdds.Length; i++)
        {
            float l = strength * (_positiveInfluence[i] - _negativeInfluence[i]) - bias;
            bool start = clicked ? _nearestIsPositive[i] != 0 && _nearest[i] < reach : external is null;
            if (external is not null && !float.IsNaN(external[i]))
            {
                l += modelWeight * Math.Clamp(ObjectPrior.ToLogOdds(external[i]), -clamp, clamp);
                start |= trust == 1 && external[i] >= 0.5f;
            }
            logOdds[i] = l;
            initialBits[i] = start ? (byte)1 : (byte)0;
        }
        // The clicks' disks are pinned (hard) in the graph. From the second solve on the GrabCut session is kept warm — same
        // graph and flow already pushed, only terminal capacities change — while labels and colour models restart from
        // the clicks' initial regions, as a new session's would. (Continuing from the last cut and its models instead
        // measured worse on the first 20 images of each set: NoC@90 4.90 against 4.55 on the GrabCut set, and with
        // u2netp's prior 6.90 against 5.20 on the Berkeley set.)
        var prior = new ObjectPrior(w, h, logOdds);
        var o = objectHints.Bits;
        var b = backgroundHints.Bits;
        for (int i = 0; i < initialBits.Length; i++) initialBits[i] = (byte)((initialBits[i] | o[i]) & (b[i] ^ 1));
        if (_grabCut is null)
        {
            var region = Mask.FromRectangle(w, h, _workBox ?? new PixelRect(0, 0, w, h));
            var input = GrabCutInput.FromRegion(region) with { InitialObject = initial, Prior = prior };
            var grabCutOptions = new GrabCutOptions { MaxIterations = _options.Iterations, Gamma = _options.Gamma, MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, MaxInitializationSamples = _options.InitializationSamples };
            _grabCut = new GrabCut(_work, input, grabCutOptions, default, cancellationToken);
        }
        else
        {
            _grabCut.SetPrior(prior);
            _grabCut.StartFrom(initial, cancellationToken);
        }
        _grabCut.Pin(objectHints, backgroundHints);
        var cut = _grabCut.Iterate(_options.Iterations, progress.Slice(0.2, 0.9), cancellationToken).Foreground;
        // Only what is connected to an object click is the clicked object.
        var work = cut;
        if (clicked)
        {
            work = _scale > 1 ? cut.Clone() : cut; // the raw cut is what the upsampler follows
            MaskCleanup.KeepPartsHolding(work, ObjectClickIndices(workClicks, w));
        }
        if (_scale == 1)
        {
            progress.Report(1);
            return (work, work);
        }
        // At the photo's size: the clicked disks painted over the upsampled cut (the rule Hints pins by), without the box's
        // outside, then the parts connected to an object click; in place, as a 24 MP photo has no pixels to spare.
        var full = _upsampler!.Upsample(cut);
        PaintClicks(full.Bits, _image.Width, _image.Height, _clicks, objectValue: 1, backgroundValue: 0);
        if (Box is { } box) ClearOutside(full, box);
        if (clicked) MaskCleanup.KeepPartsHolding(full, ObjectClickIndices(_clicks, _image.Width));
        progress.Report(1);
        return (work, full);
    }

    /// <summary>A photo-size mask at working size (nearest pixel): where the next click lands decides its reach.</summary>
    private Mask ToWorkingSize(Mask full)
    {
        int w = _work.Width, h = _work.Height;
        var work = new Mask(w, h);
        var from = full.Bits;
        var to = work.Bits;
        for (int y = 0; y < h; y++)
        {
            int fy = Math.Min(_image.Height - 1, (int)((y + 0.5) * _scale));
            for (int x = 0; x < w; x++) to[y * w + x] = from[fy * _image.Width + Math.Min(_image.Width - 1, (int)((x + 0.5) * _scale))];
        }
        return work;
    }

    private static int[] ObjectClickIndices(IEnumerable<Click> clicks, int width) =>
        clicks.Where(c => c.Positive).Select(c => c.Y * width + c.X).ToArray();

    private static void ClearOutside(Mask mask, PixelRect box)
    {
        var bits = mask.Bits;
        int w = mask.Width;
        for (int y = 0; y < mask.Height; y++)
        {
            var row = bits.Slice(y * w, w);
            if (y < box.Y || y >= box.Bottom) { row.Clear(); continue; }
            row[..box.X].Clear();
            row[box.Right..].Clear();
        }
    }

    /// <summary>
    /// The clicks' disks as hard constraints on an image of this size: where disks of opposite clicks overlap the later
    /// click wins, and every clicked pixel keeps its own click's side.
    /// </summary>
    private (Mask Object, Mask Background) Hints(IReadOnlyList<Click> clicks, int w, int h)
    {
        var side = new byte[w * h]; // 0 none, 1 object, 2 background
        PaintClicks(side, w, h, clicks, objectValue: 1, backgroundValue: 2);
        var objectHints = new Mask(w, h);
        var backgroundHints = new Mask(w, h);
        var o = objectHints.Bits;
        var b = backgroundHints.Bits;
        for (int i = 0; i < side.Length; i++)
        {
            o[i] = side[i] == 1 ? (byte)1 : (byte)0;
            b[i] = side[i] == 2 ? (byte)1 : (byte)0;
        }
        return (objectHints, backgroundHints);
    }

    /// <summary>
    /// Paints each click's disk with its side's value, in click order (the later click wins where disks overlap), then
    /// every clicked pixel with its own click's side: the one rule for the hard constraints at any size.
    /// </summary>
    private void PaintClicks(Span<byte> bits, int w, int h, IReadOnlyList<Click> clicks, byte objectValue, byte backgroundValue)
    {
        int radius = RadiusFor(w, h);
        foreach (var c in clicks) Disk(bits, w, h, c, radius, c.Positive ? objectValue : backgroundValue);
        foreach (var c in clicks) bits[c.Y * w + c.X] = c.Positive ? objectValue : backgroundValue;
    }

    private static void Disk(Span<byte> bits, int w, int h, Click click, int radius, byte value = 1)
    {
        for (int y = Math.Max(0, click.Y - radius); y <= Math.Min(h - 1, click.Y + radius); y++)
            for (int x = Math.Max(0, click.X - radius); x <= Math.Min(w - 1, click.X + radius); x++)
                if ((x - click.X) * (x - click.X) + (y - click.Y) * (y - click.Y) <= radius * radius) bits[y * w + x] = value;
    }
}
