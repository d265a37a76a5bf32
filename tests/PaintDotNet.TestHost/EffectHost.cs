using PaintDotNet.Effects;
using PaintDotNet.Hosting;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace PaintDotNet.TestHost;

/// <summary>How the host renders: tile size (chosen not to divide images evenly), order and threads.</summary>
public sealed record RenderPlan
{
    public int TileWidth { get; init; } = 61;
    public int TileHeight { get; init; } = 47;
    /// <summary>Seed of the tile shuffle; null renders tiles in typewriter order.</summary>
    public int? ShuffleSeed { get; init; } = 1;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Calls CancelRendering this long after SetToken starts (null: never).</summary>
    public TimeSpan? CancelAfter { get; init; }
    public static RenderPlan SinglePass => new() { TileWidth = int.MaxValue, TileHeight = int.MaxValue, ShuffleSeed = null, MaxDegreeOfParallelism = 1 };
}

/// <param name="Layer">The current layer's new pixels (what Paint.NET would commit on OK).</param>
/// <param name="ConfigUI">The dialog the effect built (controls, display names, values).</param>
/// <param name="RenderInfo">The flags, schedule and pixel format the effect asked for.</param>
/// <param name="SetTokenTime">Time spent in SetToken (the effect's whole-image work).</param>
public sealed record EffectRun(ColorBgra32[] Layer, ControlInfo ConfigUI, PropertyCollection WindowProperties, IReadOnlyBitmapEffectRenderInfo RenderInfo, int Tiles,
    TimeSpan SetTokenTime);

/// <summary>
/// Drives a <see cref="PropertyBasedBitmapEffect"/> in Paint.NET's order: construct → attach services and environment →
/// CreatePropertyCollection → CreateConfigUI → the caller sets values → token → renderer Initialize → SetToken → tiles,
/// in parallel and shuffled → composite into a copy of the current layer, masked by the selection unless the effect
/// disabled selection clipping. The document itself is never modified; exceptions from the effect propagate.
/// </summary>
public static class EffectHost
{
    public static EffectRun Run<TEffect>(HostDocument document, int sourceLayerIndex, Action<PropertyCollection>? configure = null, RenderPlan? plan = null)
        where TEffect : PropertyBasedBitmapEffect, new()
    {
        using var session = Open<TEffect>(document, sourceLayerIndex);
        configure?.Invoke(session.Properties);
        return session.Render(plan);
    }

    public static EffectSession<TEffect> Open<TEffect>(HostDocument document, int sourceLayerIndex) where TEffect : PropertyBasedBitmapEffect, new()
    {
        if ((uint)sourceLayerIndex >= (uint)document.Layers.Count) throw new ArgumentOutOfRangeException(nameof(sourceLayerIndex));
        var effect = new TEffect();
        effect.Attach(new HostServices(), new HostEnvironment(document, sourceLayerIndex));
        return new EffectSession<TEffect>(effect, document, sourceLayerIndex);
    }
}

/// <summary>
/// One open effect dialog: its properties can be changed and rendered again (each render is a new token on the same
/// renderer, as a slider move in Paint.NET's dialog).
/// </summary>
public sealed class EffectSession<TEffect> : IDisposable where TEffect : PropertyBasedBitmapEffect
{
    private readonly HostDocument _document;
    private readonly int _source;
    private IBitmapEffectRenderer? _renderer;

    internal EffectSession(TEffect effect, HostDocument document, int source)
    {
        Effect = effect;
        _document = document;
        _source = source;
        Properties = effect.CreatePropertyCollection();
        ConfigUI = effect.CreateConfigUI(Properties);
    }

    public TEffect Effect { get; }
    public PropertyCollection Properties { get; }
    public ControlInfo ConfigUI { get; }

    public void Set(object name, object value)
    {
        var property = Properties[name] ?? throw new ArgumentException($"The effect has no property '{name}'.");
        property.SetValueCore(value);
    }

    public EffectRun Render(RenderPlan? plan = null)
    {
        plan ??= new RenderPlan();
        var renderer = _renderer ??= Initialize();
        var token = new PropertyBasedEffectConfigToken(Properties.Clone());
        if (plan.CancelAfter is { } delay)
        {
            // A dedicated thread, as Paint.NET's UI thread: a thread-pool timer could wait behind the effect's own work.
            new Thread(() => { Thread.Sleep(delay); renderer.CancelRendering(); }) { IsBackground = true }.Start();
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        renderer.SetToken(token);
        var setTokenTime = clock.Elapsed;
        var info = renderer.RenderInfo;
        bool clip = (info.Flags & BitmapEffectRenderingFlags.DisableSelectionClipping) == 0;
        var layer = _document.Layers[_source];
        var size = _document.Size;
        var area = clip ? _document.Selection.RenderBounds : new RectInt32(Point2Int32.Zero, size);
        var tiles = Tiles(area, info, plan);
        var result = layer.ToArray();
        void RenderTile(RectInt32 tile) => RenderInto(renderer, tile, result, layer, clip);
        if (tiles.Count > 0)
        {
            bool single = (info.Flags & BitmapEffectRenderingFlags.SingleThreaded) != 0 || info.Schedule == BitmapEffectRenderingSchedule.None;
            int start = 0;
            if ((info.Flags & BitmapEffectRenderingFlags.FirstTileIsRenderedWithBarrier) != 0) { RenderTile(tiles[0]); start = 1; }
            var rest = tiles.Skip(start).ToList();
            if (single) rest.ForEach(RenderTile);
            else
            {
                try { Parallel.ForEach(rest, new ParallelOptions { MaxDegreeOfParallelism = plan.MaxDegreeOfParallelism }, RenderTile); }
                catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                    throw;
                }
            }
        }
        return new EffectRun(result, ConfigUI, Effect.WindowProperties ?? new PropertyCollection(), info, tiles.Count, setTokenTime);
    }

    private IBitmapEffectRenderer Initialize()
    {
        var renderer = ((IEffect)Effect).CreateRenderer<IBitmapEffectRenderer>();
        renderer.Initialize(new BitmapEffectInitializeInfo());
        return renderer;
    }

    private List<RectInt32> Tiles(RectInt32 area, IReadOnlyBitmapEffectRenderInfo info, RenderPlan plan)
    {
        var tiles = new List<RectInt32>();
        if (!area.HasArea) return tiles;
        int tw = info.Schedule == BitmapEffectRenderingSchedule.HorizontalStrips ? area.Width : Math.Min(plan.TileWidth, area.Width);
        int th = Math.Min(plan.TileHeight, area.Height);
        if (info.Schedule == BitmapEffectRenderingSchedule.None) { tw = area.Width; th = area.Height; }
        for (int y = area.Y; y < area.Bottom; y += th)
            for (int x = area.X; x < area.Right; x += tw)
                tiles.Add(RectInt32.Intersect(new RectInt32(x, y, tw, th), area));
        if (plan.ShuffleSeed is { } seed)
        {
            var random = new Random(seed);
            for (int i = tiles.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (tiles[i], tiles[j]) = (tiles[j], tiles[i]);
            }
        }
        return tiles;
    }

    /// <summary>
    /// Renders one tile and composites it: with clipping, coverage 255 takes the output, 0 keeps the layer, partial
    /// coverage blends (straight-alpha lerp; Paint.NET's exact formula is undocumented, tests assert only 0 and 255).
    /// </summary>
    private unsafe void RenderInto(IBitmapEffectRenderer renderer, RectInt32 tile, ColorBgra32[] result, HostLayer layer, bool clip)
    {
        var buffer = new ColorBgra32[tile.Width * tile.Height];
        // Poison the buffer: the renderer must zero it (or the effect must write every pixel).
        Array.Fill(buffer, new ColorBgra32(0xDEADBEEF));
        fixed (ColorBgra32* p = buffer)
            renderer.Render(p, tile.Width * 4, buffer.Length * 4, PixelFormats.Bgra32, tile);
        int w = _document.Size.Width;
        for (int y = 0; y < tile.Height; y++)
            for (int x = 0; x < tile.Width; x++)
            {
                int gx = tile.X + x, gy = tile.Y + y;
                var output = buffer[y * tile.Width + x];
                if (!clip) { result[gy * w + gx] = output; continue; }
                byte m = _document.Selection.Coverage(gx, gy);
                if (m == 255) result[gy * w + gx] = output;
                else if (m != 0)
                {
                    var original = layer[gx, gy];
                    byte Lerp(byte a, byte b) => (byte)((a * (255 - m) + b * m + 127) / 255);
                    result[gy * w + gx] = new ColorBgra32(Lerp(original.B, output.B), Lerp(original.G, output.G), Lerp(original.R, output.R), Lerp(original.A, output.A));
                }
            }
    }

    public void Dispose()
    {
        _renderer?.Dispose();
        Effect.Dispose();
    }
}
