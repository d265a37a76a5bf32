using System.Runtime.CompilerServices;
using PdnSegmentation.Graphs;
using PdnSegmentation.Imaging;
using PdnSegmentation.Mixtures;
using PdnSegmentation.Parallelism;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Segmentation;

/// <summary>
/// GrabCut — C. Rother, V. Kolmogorov, A. Blake, "GrabCut: interactive foreground extraction using iterated graph
/// cuts", SIGGRAPH 2004. Colour GMMs for object and background, a contrast-sensitive smoothness term over the
/// 8-neighbourhood, and iterated (assign components, learn GMMs, min cut) until the energy stops falling.
/// <para>
/// A session keeps its labels, models and graph so that user edits (brush hints) re-run only the cut, or the
/// whole iteration, without starting over. Everything outside the region is definite background and is not a
/// graph node: the graph covers only the bounding box of the pixels that can still change.
/// </para>
/// </summary>
public sealed partial class GrabCut
{
    // Label bits: bit 0 = object side; bit 1 = may change; bit 2 = frozen (outside a multilevel band).
    private const byte Background = 0, Foreground = 1, ProbablyBackground = 2, ProbablyForeground = 3;
    private const byte Frozen = 4;
    private const int ChunkCount = RowChunks.Count;

    private readonly ColorImage _image;
    private readonly GrabCutOptions _options;
    private readonly byte[] _labels;
    // Best component per pixel: low nibble under the object model, high nibble under the background model.
    private readonly byte[] _components;
    private readonly float _beta;
    private readonly List<double> _energy = new();
    private PixelRect _box;
    private GridMaxFlow _graph;
    // False until the graph's neighbour capacities are written; afterwards only terminals change (warm re-solves).
    private bool _graphFilled;
    // Per pixel of the graph's box, written with the neighbour capacities: 1 where a changeable pixel has a fixed
    // neighbour (whose edge weight joins its terminal capacities). Later passes skip the neighbour scan elsewhere — most
    // pixels — which took a quarter of each evaluation pass (click engine, 0.25 MP).
    private byte[]? _touchesFixed;
    private ColorGmm _objectModel = null!;     // set by the constructor, or by the multilevel proxy
    private ColorGmm _backgroundModel = null!;
    private bool _multilevelPending;
    // Evidence beyond colour (a deep model, clicks), added to the data terms; null = colour alone (the paper).
    private ObjectPrior? _prior;
    // Pixels pinned to a side (1 object, 2 background) by terminal capacities instead of fixed labels, so that moving
    // pins keeps the graph and the flow already pushed (warm re-solves); null = none.
    private byte[]? _pins;
    // True from StartFrom until the next cut: the models are fresh from the labels and no pixel's component is assigned.
    private bool _freshModels;

    /// <summary>Runs GrabCut to convergence (or the iteration cap) and returns the object mask.</summary>
    public static GrabCutResult Segment(ColorImage image, GrabCutInput input, GrabCutOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var progressScope = ProgressScope.For(progress);
        var session = new GrabCut(image, input, options ?? new GrabCutOptions(), progressScope.Slice(0, 0.1), cancellationToken);
        return session.Iterate(progressScope.Slice(0.1, 1), cancellationToken);
    }

    /// <summary>Starts a session: validates the input, labels pixels, estimates the initial colour models.</summary>
    public GrabCut(ColorImage image, GrabCutInput input, GrabCutOptions options, ProgressScope progress = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        _image = image;
        _options = options;
        if (input.Prior is { } prior) ImageGuard.SameSize("object prior", prior.Width, prior.Height, image.Width, image.Height);
        _prior = input.Prior;
        _labels = InitialLabels(image, input);
        ApplyHints(input.DefiniteForeground, input.DefiniteBackground);
        _box = ChangeableBounds();
        SeedBackgroundWhenNoneIsOutside();
        _components = new byte[_labels.Length];

        cancellationToken.ThrowIfCancellationRequested();
        _beta = (float)ComputeBeta(image, options.MaxDegreeOfParallelism);
        progress.Report(0.3);

        _multilevelPending = options.MultilevelThreshold > 0 && ChangeablePixelCount() > options.MultilevelThreshold;
        if (!_multilevelPending)
        {
                (_objectModel, _backgroundModel) = InitialModels();
            progress.Report(0.8);
            EvaluatePixels(buildGraph: false, cancellationToken);
        }
        _graph = new GridMaxFlow(_box.Width, _box.Height) { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism };
        progress.Report(1);
    }

    public IReadOnlyList<double> EnergyPerIteration => _energy;
    public ColorGmm ObjectModel => _objectModel;
    public ColorGmm BackgroundModel => _backgroundModel;

    /// <summary>Bytes held by the session's own per-pixel buffers and graph.</summary>
    public long AllocatedBytes => _labels.LongLength + _components.LongLength + (_touchesFixed?.LongLength ?? 0) + _graph.AllocatedBytes;

    /// <summary>The current object mask.</summary>
    public Mask ForegroundMask()
    {
        var mask = new Mask(_image.Width, _image.Height);
        var bits = mask.Bits;
        for (int i = 0; i < _labels.Length; i++)
            bits[i] = (byte)(_labels[i] & 1); // Foreground (1) and ProbablyForeground (3) are odd
        return mask;
    }

    /// <summary>Iterates (learn models, min cut) until the energy stops decreasing or the cap is reached.</summary>
    public GrabCutResult Iterate(ProgressScope progress = default, CancellationToken cancellationToken = default)
    {
        int iterations = 0;
        int maxIterations = _options.MaxIterations;
        if (_multilevelPending)
        {
            iterations = SolveProxy(progress.Slice(0, 0.6), cancellationToken);
            progress = progress.Slice(0.6, 1);
            maxIterations = _options.MultilevelRefinementIterations;
            _multilevelPending = false;
        }
        return Run(iterations, maxIterations, compareWithEarlier: true, progress, cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="maxIterations"/> iterations (learn models, min cut), stopping when the energy stops falling;
    /// <paramref name="compareWithEarlier"/> lets the first compare with the last energy of an earlier call.
    /// </summary>
    private GrabCutResult Run(int done, int maxIterations, bool compareWithEarlier, ProgressScope progress, CancellationToken cancellationToken)
    {
        bool converged = false;
        double previous = compareWithEarlier && _energy.Count > 0 ? _energy[^1] : double.PositiveInfinity;
        for (int it = 0; it < maxIterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // After StartFrom the models were just initialised from the labels: the first cut uses them as they are.
            if (!_freshModels && !LearnModels()) { converged = true; break; } // the object vanished: nothing left to model
            double energy = Cut(cancellationToken);
            done++;
            progress.Report((it + 1.0) / maxIterations);
            _energy.Add(energy);
            if (_options.ConvergenceTolerance > 0 && double.IsFinite(previous) && previous - energy <= _options.ConvergenceTolerance * Math.Abs(previous))
            {
                converged = true;
                break;
            }
            previous = energy;
        }
        progress.Report(1);
        return new GrabCutResult(ForegroundMask(), _energy.ToArray(), done, converged);
    }

    /// <summary>
    /// Replaces the object prior; the next cut uses it. With <see cref="Pin"/> and <see cref="Iterate(int, ProgressScope, CancellationToken)"/>
    /// this re-solves warm: only terminal capacities change, so the flow already pushed is kept.
    /// </summary>
    public void SetPrior(ObjectPrior? prior)
    {
        if (prior is not null) ImageGuard.SameSize("object prior", prior.Width, prior.Height, _image.Width, _image.Height);
        if (_multilevelPending) throw new InvalidOperationException("Iterate once before changing the prior of a multilevel session.");
        _prior = prior;
    }

    /// <summary>
    /// Starts over from <paramref name="initialObject"/> as a new session would (its changeable pixels on those sides,
    /// colour models initialised from them afresh) but keeps the graph and the flow already pushed, so the next cut is
    /// warm. (Refitting the old models' components to the new labels instead is cheaper but keeps the old split of
    /// colours: a colour that changed sides stays lumped into an unrelated component of its new side's model.) The next
    /// cut uses the fresh models as they are, without first assigning every pixel a component and re-learning: that pass
    /// cost a full evaluation of both models (10 of a click's 95 ms at 0.25 MP) and measured no better on the click benchmark
    /// (GrabCut set, no model: NoC@90 4.12 with that pass, 4.03 without; the Berkeley set was checked with the whole change).
    /// </summary>
    public void StartFrom(Mask initialObject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialObject);
        ImageGuard.SameSize("initial object mask", initialObject.Width, initialObject.Height, _image.Width, _image.Height);
        if (_multilevelPending) throw new InvalidOperationException("Iterate once before relabelling a multilevel session.");
        var bits = initialObject.Bits;
        for (int i = 0; i < _labels.Length; i++)
            if (!IsFixed(_labels[i])) _labels[i] = bits[i] != 0 ? ProbablyForeground : ProbablyBackground;
        // Each colour model needs pixels to start from: a guess that leaves one side empty starts as a new session would
        // (the whole region on the object side, its frame on the background side when nothing else is background).
        var labels = _labels.AsSpan();
        if (labels.IndexOfAny(Foreground, ProbablyForeground) < 0) labels.Replace(ProbablyBackground, ProbablyForeground);
        if (labels.IndexOfAny(Background, ProbablyBackground) < 0)
            for (int y = _box.Y; y < _box.Bottom; y++)
                for (int x = _box.X; x < _box.Right; x++)
                    if ((y == _box.Y || y == _box.Bottom - 1 || x == _box.X || x == _box.Right - 1) && _labels[y * _image.Width + x] == ProbablyForeground)
                        _labels[y * _image.Width + x] = ProbablyBackground;
        (_objectModel, _backgroundModel) = InitialModels();
        _freshModels = true;
    }

    /// <summary>
    /// Pins pixels to a side for the next cuts, replacing earlier pins (null = none): a pinned pixel keeps its side
    /// whatever the energy, but unlike a hard label (<see cref="Edit"/>) it stays a node of the graph, so pins can move
    /// between warm re-solves. Where both masks are set the background wins. Pins outside the region have no effect.
    /// Pinned pixels are labelled with their side at once (call after <see cref="StartFrom"/>).
    /// </summary>
    public void Pin(Mask? objectPins, Mask? backgroundPins)
    {
        if (_multilevelPending) throw new InvalidOperationException("Iterate once before pinning pixels of a multilevel session.");
        if (objectPins is null && backgroundPins is null) { _pins = null; return; }
        if (objectPins is not null) ImageGuard.SameSize("object pins", objectPins.Width, objectPins.Height, _image.Width, _image.Height);
        if (backgroundPins is not null) ImageGuard.SameSize("background pins", backgroundPins.Width, backgroundPins.Height, _image.Width, _image.Height);
        var pins = _pins ?? new byte[_labels.Length];
        pins.AsSpan().Clear();
        if (objectPins is not null)
        {
            var o = objectPins.Bits;
            for (int i = 0; i < pins.Length; i++) pins[i] = o[i] != 0 ? (byte)1 : (byte)0;
        }
        if (backgroundPins is not null)
        {
            var b = backgroundPins.Bits;
            for (int i = 0; i < pins.Length; i++) if (b[i] != 0) pins[i] = 2;
        }
        // Pinned pixels end on their side whatever the cut, so the colour models learn them there from the start.
        for (int i = 0; i < pins.Length; i++)
            if (pins[i] != 0 && !IsFixed(_labels[i])) _labels[i] = pins[i] == 1 ? ProbablyForeground : ProbablyBackground;
        _pins = pins;
    }

    /// <summary>
    /// Up to <paramref name="iterations"/> more iterations (learn models, min cut) from the current labels, models and
    /// residual graph; stops early when the energy stops falling within this call (earlier calls may have had another
    /// prior or pins, so their energies are not compared).
    /// </summary>
    public GrabCutResult Iterate(int iterations, ProgressScope progress = default, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (_multilevelPending) return Iterate(progress, cancellationToken);
        return Run(0, iterations, compareWithEarlier: false, progress, cancellationToken);
    }

    /// <summary>
    /// Applies brush edits: <paramref name="definiteForeground"/> and <paramref name="definiteBackground"/> pixels
    /// become hard labels. Then either one min cut with the current colour models (Rother's step 3, instant) or,
    /// with <paramref name="refit"/>, the full iteration.
    /// </summary>
    public GrabCutResult Edit(Mask? definiteForeground, Mask? definiteBackground, bool refit = false,
        ProgressScope progress = default, CancellationToken cancellationToken = default)
    {
        if (_multilevelPending) Iterate(progress.Slice(0, 0.5), cancellationToken);
        ApplyHints(definiteForeground, definiteBackground);
        RefreezeAfterEdit(definiteForeground, definiteBackground);
        var box = ChangeableBounds();
        if (box != _box)
        {
            _box = box;
            _graph = new GridMaxFlow(box.Width, box.Height) { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism };
        }
        _graphFilled = false; // hard labels changed: neighbour capacities to fixed pixels move into terminals
        if (refit) return Iterate(progress, cancellationToken);
        // The components were evaluated for the current models; the cut uses them as they are.
        _energy.Add(Cut(cancellationToken));
        progress.Report(1);
        return new GrabCutResult(ForegroundMask(), _energy.ToArray(), 1, false);
    }

    // ---------------------------------------------------------------- set-up

    private static byte[] InitialLabels(ColorImage image, GrabCutInput input)
    {
        int w = image.Width, h = image.Height;
        var labels = new byte[checked(w * h)]; // Background everywhere
        var bounds = input.SelectionBounds(w, h);
        if (input.Region is { } region)
        {
            var bits = region.Bits;
            for (int i = 0; i < labels.Length; i++)
                if (bits[i] != 0) labels[i] = ProbablyForeground;
        }
        else
        {
            for (int y = bounds.Y; y < bounds.Bottom; y++)
                labels.AsSpan(y * w + bounds.X, bounds.Width).Fill(ProbablyForeground);
        }
        if (input.InitialObject is { } initial)
        {
            // The changeable pixels start where the caller's best guess puts them (e.g. a model's mask), not all on the object side.
            ImageGuard.SameSize("initial object mask", initial.Width, initial.Height, w, h);
            var bits = initial.Bits;
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] == ProbablyForeground && bits[i] == 0) labels[i] = ProbablyBackground;
            // A guess with no object in the selection says nothing to start from: start from the whole selection, as Rother et al.
            if (labels.AsSpan().IndexOf(ProbablyForeground) < 0) labels.AsSpan().Replace(ProbablyBackground, ProbablyForeground);
        }
        return labels;
    }

    private void ApplyHints(Mask? definiteForeground, Mask? definiteBackground)
    {
        int w = _image.Width, h = _image.Height;
        if (definiteForeground is not null)
        {
            ImageGuard.SameSize("foreground hint mask", definiteForeground.Width, definiteForeground.Height, w, h);
            var bits = definiteForeground.Bits;
            for (int i = 0; i < _labels.Length; i++) if (bits[i] != 0) _labels[i] = Foreground;
        }
        if (definiteBackground is not null)
        {
            // Background hints are applied last: where the user painted both, background wins.
            ImageGuard.SameSize("background hint mask", definiteBackground.Width, definiteBackground.Height, w, h);
            var bits = definiteBackground.Bits;
            for (int i = 0; i < _labels.Length; i++) if (bits[i] != 0) _labels[i] = Background;
        }
        if (_labels.AsSpan().IndexOfAny(Foreground, ProbablyForeground) < 0)
            throw new SegmentationInputException(
                "Nothing is left that could be the object: the background hints cover the whole selection. " +
                "Remove some background hints or select a larger area.");
    }

    /// <summary>Bounds of every pixel that is not definite background: the part of the image that is a graph.</summary>
    private PixelRect ChangeableBounds()
    {
        int w = _image.Width, h = _image.Height;
        int minX = w, minY = h, maxX = -1, maxY = -1;
        for (int y = 0; y < h; y++)
        {
            var row = _labels.AsSpan(y * w, w);
            int first = row.IndexOfAnyExcept(Background);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyExcept(Background);
            if (y < minY) minY = y;
            maxY = y;
            minX = Math.Min(minX, first);
            maxX = Math.Max(maxX, last);
        }
        return new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>
    /// When the region leaves no background at all (a rectangle over the whole image), the region's one-pixel
    /// frame becomes background so the background model has something to learn from (OpenCV refuses this input).
    /// </summary>
    private void SeedBackgroundWhenNoneIsOutside()
    {
        if (_labels.AsSpan().IndexOfAny(Background, ProbablyBackground) >= 0) return;
        int w = _image.Width;
        for (int y = _box.Y; y < _box.Bottom; y++)
            for (int x = _box.X; x < _box.Right; x++)
            {
                bool frame = y == _box.Y || y == _box.Bottom - 1 || x == _box.X || x == _box.Right - 1;
                if (frame && _labels[y * w + x] == ProbablyForeground) _labels[y * w + x] = Background;
            }
    }

    private static double ComputeBeta(ColorImage image, int parallelism)
    {
        // β = (2⟨‖z_m − z_n‖²⟩)⁻¹; a flat image has no contrast to adapt to.
        double mean = NeighbourContrast.MeanSquaredDifference(image, parallelism);
        return mean <= 0 ? 0 : 1.0 / (2 * mean);
    }

    private (ColorGmm Object, ColorGmm Background) InitialModels()
    {
        var objectSamples = SampleColors(label => (label & 1) != 0);
        var backgroundSamples = SampleColors(label => (label & 1) == 0);
        ColorGmm? o = null, b = null;
        Parallel.Invoke(
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxDegreeOfParallelism) },
            () => o = ColorGmm.Initialize(objectSamples, _options.ComponentsPerModel, _options.Initialization, _options.CovarianceRidge, _options.Seed),
            () => b = ColorGmm.Initialize(backgroundSamples, _options.ComponentsPerModel, _options.Initialization, _options.CovarianceRidge, _options.Seed + 1));
        return (o!, b!);
    }

    /// <summary>Colours of the pixels whose label passes the filter, thinned by a fixed stride to the sample cap.</summary>
    private float[] SampleColors(Func<byte, bool> take)
    {
        long count = 0;
        for (int v = 0; v < 4; v++)
            if (take((byte)v)) count += _labels.AsSpan().Count((byte)v);
        long stride = Math.Max(1, (count + _options.MaxInitializationSamples - 1) / _options.MaxInitializationSamples);
        var samples = new float[(int)((count + stride - 1) / stride) * 3];
        int w = _image.Width, n = 0;
        long seen = 0;
        Span<bool> accept = stackalloc bool[4];
        for (int v = 0; v < 4; v++) accept[v] = take((byte)v);
        for (int y = 0; y < _image.Height; y++)
        {
            var row = _image.Row(y);
            var labels = _labels.AsSpan(y * w, w);
            for (int x = 0; x < w; x++)
            {
                if (!accept[labels[x]]) continue;
                if (seen++ % stride != 0) continue;
                samples[n++] = row[4 * x]; samples[n++] = row[4 * x + 1]; samples[n++] = row[4 * x + 2];
            }
        }
        return samples;
    }

    // ---------------------------------------------------------------- iteration steps

    /// <summary>
    /// Steps 1–2: every pixel takes the best component of its current label's model (evaluated in the last pass),
    /// then both models are re-estimated. False when one side has no pixels left.
    /// </summary>
    private bool LearnModels()
    {
        int k = _options.ComponentsPerModel;
        int w = _image.Width;
        var chunkStats = new GaussianStatistics[ChunkCount][];
        RowChunks.Run(_image.Height, _options.MaxDegreeOfParallelism, CancellationToken.None, (chunk, y0, y1) =>
        {
            var stats = new GaussianStatistics[2 * k]; // object components, then background
            for (int y = y0; y < y1; y++)
            {
                var row = _image.Row(y);
                var labels = _labels.AsSpan(y * w, w);
                var comps = _components.AsSpan(y * w, w);
                for (int x = 0; x < w; x++)
                {
                    int c = (labels[x] & 1) != 0 ? comps[x] & 0xF : k + (comps[x] >> 4);
                    stats[c].Add(row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                }
            }
            chunkStats[chunk] = stats;
        });
        var total = new GaussianStatistics[2 * k];
        foreach (var stats in chunkStats)
            if (stats is not null)
                for (int c = 0; c < total.Length; c++) total[c].Add(stats[c]);
        double objectWeight = 0, backgroundWeight = 0;
        for (int c = 0; c < k; c++) { objectWeight += total[c].Weight; backgroundWeight += total[k + c].Weight; }
        if (objectWeight == 0 || backgroundWeight == 0) return false;
        _objectModel = ColorGmm.FromStatistics(total.AsSpan(0, k), _options.CovarianceRidge);
        _backgroundModel = ColorGmm.FromStatistics(total.AsSpan(k, k), _options.CovarianceRidge);
        return true;
    }

    /// <summary>Step 3: data terms from the current models, min cut, new labels. Returns the energy.</summary>
    private double Cut(CancellationToken cancellationToken)
    {
        // Neighbour weights depend only on the image: written once, then every re-solve reuses the residual
        // graph and the flow already pushed, changing only the terminal capacities.
        bool writeEdges = !_graphFilled;
        if (writeEdges)
        {
            _graph.Clear();
            if (_touchesFixed is null || _touchesFixed.Length != _box.Area) _touchesFixed = new byte[_box.Area];
        }
        double constant = EvaluatePixels(buildGraph: true, cancellationToken, writeEdges);
        _graphFilled = true;
        _freshModels = false;
        double cut = _graph.Solve(cancellationToken);
        UpdateLabels();
        return constant + cut;
    }

    /// <summary>
    /// One parallel pass over the image with the current models: records each pixel's best component under both
    /// models (the next iteration's assignment step), and with <paramref name="buildGraph"/> writes the terminal
    /// and neighbour capacities of the graph. Returns the part of the energy that does not depend on the cut.
    /// </summary>
    private double EvaluatePixels(bool buildGraph, CancellationToken cancellationToken, bool writeEdges = false)
    {
        var partial = new double[ChunkCount];
        RowChunks.Run(_image.Height, _options.MaxDegreeOfParallelism, cancellationToken,
            (chunk, y0, y1) => partial[chunk] = EvaluateRows(y0, y1, buildGraph, writeEdges));
        double sum = 0;
        foreach (double p in partial) sum += p;
        return sum;
    }

    private double EvaluateRows(int y0, int y1, bool buildGraph, bool writeEdges)
    {
        int w = _image.Width;
        var box = _box;
        double constant = 0;
        var costs = new RowCosts(w);
        var differences = buildGraph ? new float[box.Width] : null;
        for (int y = y0; y < y1; y++)
        {
            var row = _image.Row(y);
            var comps = _components.AsSpan(y * w, w);
            bool rowInBox = y >= box.Y && y < box.Bottom;
            int boxStart = rowInBox ? box.X : w, boxEnd = rowInBox ? box.Right : w;
            // Definite background outside the graph: its data term is a constant of the energy.
            _backgroundModel.Costs(row[..(4 * boxStart)], MixtureDataTerm, costs.Background, costs.BackgroundComponent);
            _backgroundModel.Costs(row[(4 * boxEnd)..(4 * w)], MixtureDataTerm, costs.Background.AsSpan(boxEnd), costs.BackgroundComponent.AsSpan(boxEnd));
            if (_prior is { } prior)
            {
                prior.RowCosts(y * w, costs.PriorObject.AsSpan(0, boxStart), costs.PriorBackground.AsSpan(0, boxStart));
                prior.RowCosts(y * w + boxEnd, costs.PriorObject.AsSpan(boxEnd), costs.PriorBackground.AsSpan(boxEnd));
            }
            for (int x = 0; x < w; x++)
            {
                if (x == boxStart) { x = boxEnd - 1; continue; }
                constant += costs.Background[x];
                if (_prior is not null) constant += costs.PriorBackground[x];
                comps[x] = (byte)(costs.BackgroundComponent[x] << 4);
            }
            if (rowInBox) EvaluateBoxRow(y, costs, differences, writeEdges, ref constant);
        }
        return constant;
    }

    /// <summary>One row's data terms under both models and best components, written by <see cref="ColorGmm.Costs"/>.</summary>
    private readonly struct RowCosts(int width)
    {
        public readonly float[] Object = new float[width], Background = new float[width];
        public readonly byte[] ObjectComponent = new byte[width], BackgroundComponent = new byte[width];
        // The object prior's costs (when there is one), written by ObjectPrior.RowCosts.
        public readonly float[] PriorObject = new float[width], PriorBackground = new float[width];
    }

    private bool MixtureDataTerm => _options.DataTerm == GrabCutDataTerm.MixtureDensity;

    /// <summary>The data term of one colour under a model, and the model's best component for it (the energy oracle's; the cut's pass uses <see cref="ColorGmm.Costs"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Cost(ColorGmm model, float c0, float c1, float c2, out int component) =>
        MixtureDataTerm
            ? model.MixtureCost(c0, c1, c2, out component)
            : model.BestCost(c0, c1, c2, out component);

    /// <summary>True for pixels the cut cannot change: hard labels and pixels frozen outside a multilevel band.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsFixed(byte label) => (label & 6) != 2;

    /// <summary>
    /// The graph's part of row y: components under both models and, when <paramref name="differences"/> is given,
    /// the terminal capacities (and with <paramref name="writeEdges"/> the neighbour capacities). Fixed pixels are
    /// isolated nodes: an edge from a changeable pixel to a fixed one becomes a terminal capacity of the former,
    /// and an edge between two fixed pixels is a constant of the energy.
    /// </summary>
    private void EvaluateBoxRow(int y, RowCosts costs, float[]? differences, bool writeEdges, ref double constant)
    {
        int w = _image.Width, h = _image.Height;
        var box = _box;
        float gamma = (float)_options.Gamma, diagonalGamma = (float)(_options.Gamma / Math.Sqrt(2)), beta = _beta;
        float pinCapacity = 8 * gamma + 1;
        var row = _image.Row(y);
        var comps = _components.AsSpan(y * w, w);
        int gy = y - box.Y;
        var pixels = row[(4 * box.X)..(4 * box.Right)];
        _objectModel.Costs(pixels, MixtureDataTerm, costs.Object.AsSpan(box.X), costs.ObjectComponent.AsSpan(box.X));
        _backgroundModel.Costs(pixels, MixtureDataTerm, costs.Background.AsSpan(box.X), costs.BackgroundComponent.AsSpan(box.X));
        if (differences is not null && _prior is { } rowPrior)
            rowPrior.RowCosts(y * w + box.X, costs.PriorObject.AsSpan(box.X, box.Width), costs.PriorBackground.AsSpan(box.X, box.Width));
        for (int x = box.X; x < box.Right; x++)
        {
            float costObject = costs.Object[x], costBackground = costs.Background[x];
            comps[x] = (byte)(costs.ObjectComponent[x] | costs.BackgroundComponent[x] << 4);
            if (differences is null) continue;
            if (_prior is not null)
            {
                costObject += costs.PriorObject[x];
                costBackground += costs.PriorBackground[x];
            }

            int gx = x - box.X;
            byte label = _labels[y * w + x];
            if (IsFixed(label))
            {
                differences[gx] = 0;
                // A frozen pixel still pays its data term (hard labels are the user's word and pay none), and a cut
                // between two fixed pixels is paid whatever the graph decides; each forward edge is counted here.
                if ((label & Frozen) != 0) constant += (label & 1) != 0 ? costObject : costBackground;
                for (int d = 0; d < 8; d++)
                {
                    if (!Neighbour(x, y, d, w, h, out int nx, out int ny)) continue;
                    if (d >= 4 && box.Contains(nx, ny)) continue; // counted by its other end (outside pixels have none here)
                    byte other = NeighbourLabel(nx, ny, box);
                    if (IsFixed(other) && ((other ^ label) & 1) != 0)
                        constant += EdgeWeight(row, x, _image.Row(ny), nx, (d & 1) == 0 ? gamma : diagonalGamma, beta);
                }
                continue;
            }

            // Terminal capacities: "source" is paid when the pixel ends as background, "sink" as object.
            float source = costBackground, sink = costObject;
            byte pin = _pins is { } pins ? pins[y * w + x] : (byte)0;
            ref byte touchesFixed = ref _touchesFixed![gy * box.Width + gx];
            if (writeEdges || touchesFixed != 0)
            {
                var slots = writeEdges ? _graph.EdgeSlots(gx, gy) : default;
                bool touches = false;
                for (int d = 0; d < 8; d++)
                {
                    if (!Neighbour(x, y, d, w, h, out int nx, out int ny)) continue;
                    byte other = NeighbourLabel(nx, ny, box);
                    if (IsFixed(other))
                    {
                        touches = true;
                        float weight = EdgeWeight(row, x, _image.Row(ny), nx, (d & 1) == 0 ? gamma : diagonalGamma, beta);
                        if ((other & 1) != 0) source += weight; else sink += weight; // disagreeing with it cuts the edge
                    }
                    else if (writeEdges && d < 4)
                    {
                        // An edge between two changeable pixels is written by its forward end, both directions.
                        float weight = EdgeWeight(row, x, _image.Row(ny), nx, (d & 1) == 0 ? gamma : diagonalGamma, beta);
                        slots[d] = weight;
                        _graph.EdgeSlots(nx - box.X, ny - box.Y)[d ^ 4] = weight;
                    }
                }
                if (writeEdges) touchesFixed = touches ? (byte)1 : (byte)0;
            }
            if (pin == 0)
            {
                constant += Math.Min(source, sink);
                differences[gx] = source - sink;
            }
            else
            {
                // A pinned pixel pays its own side's cost; the other side costs more than all its neighbour edges
                // together (< 8γ), so no cut takes it there.
                constant += pin == 1 ? sink : source;
                differences[gx] = pin == 1 ? pinCapacity : -pinCapacity;
            }
        }
        if (differences is not null) _graph.SetTerminalRow(gy, differences);
    }

    /// <summary>The neighbour of (x, y) in direction d (E, SE, S, SW, W, NW, N, NE), if inside the image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Neighbour(int x, int y, int d, int w, int h, out int nx, out int ny)
    {
        nx = x + (d is 0 or 1 or 7 ? 1 : d is 3 or 4 or 5 ? -1 : 0);
        ny = y + (d is 1 or 2 or 3 ? 1 : d is 5 or 6 or 7 ? -1 : 0);
        return (uint)nx < (uint)w && (uint)ny < (uint)h;
    }

    /// <summary>A neighbour's label; pixels outside the graph's box are definite background.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte NeighbourLabel(int nx, int ny, PixelRect box) =>
        box.Contains(nx, ny) ? _labels[ny * _image.Width + nx] : Background;

    /// <summary>
    /// The energy of the current labels computed term by term, independently of the graph (a test oracle for
    /// the flow value: data terms of every changeable pixel and of the background outside, plus cut edges).
    /// </summary>
    /// <param name="objectSide">Sides for the changeable pixels instead of their labels (a brute-force test's candidate).</param>
    internal double ExplicitEnergy(Mask? objectSide = null)
    {
        int w = _image.Width, h = _image.Height;
        var side = objectSide?.Bits.ToArray();
        int Label(int i) => side is null || IsFixed(_labels[i]) ? _labels[i] : side[i] != 0 ? ProbablyForeground : ProbablyBackground;
        double e = 0;
        float gamma = (float)_options.Gamma, dg = (float)(_options.Gamma / Math.Sqrt(2));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var row = _image.Row(y);
                float c0 = row[4 * x], c1 = row[4 * x + 1], c2 = row[4 * x + 2];
                int l = Label(y * w + x);
                bool inBox = _box.Contains(x, y);
                bool hardInGraph = l == Foreground || (l == Background && inBox);
                if (!hardInGraph)
                {
                    e += Cost((l & 1) != 0 ? _objectModel : _backgroundModel, c0, c1, c2, out _);
                    if (_prior is { } prior)
                    {
                        prior.Costs(y * w + x, out float priorObject, out float priorBackground);
                        e += (l & 1) != 0 ? priorObject : priorBackground;
                    }
                }
                for (int d = 0; d < 4; d++)
                {
                    int nx = x + (d == 0 || d == 1 ? 1 : d == 3 ? -1 : 0);
                    int ny = y + (d == 0 ? 0 : 1);
                    if (nx < 0 || nx >= w || ny >= h) continue;
                    if (((Label(ny * w + nx) ^ l) & 1) != 0) e += EdgeWeight(row, x, _image.Row(ny), nx, d == 0 || d == 2 ? gamma : dg, _beta);
                }
            }
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float EdgeWeight(ReadOnlySpan<byte> rowA, int xa, ReadOnlySpan<byte> rowB, int xb, float gammaOverDistance, float beta) =>
        gammaOverDistance * MathF.Exp(-beta * NeighbourContrast.Distance2(rowA, 4 * xa, rowB, 4 * xb));

    private void UpdateLabels()
    {
        int w = _image.Width;
        var box = _box;
        var buffer = new byte[box.Width];
        for (int gy = 0; gy < box.Height; gy++)
        {
            _graph.CopySourceSideRow(gy, buffer);
            var labels = _labels.AsSpan((box.Y + gy) * w + box.X, box.Width);
            for (int gx = 0; gx < labels.Length; gx++)
                if (!IsFixed(labels[gx])) labels[gx] = buffer[gx] != 0 ? ProbablyForeground : ProbablyBackground;
        }
    }
}
