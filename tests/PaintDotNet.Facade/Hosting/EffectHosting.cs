namespace PaintDotNet.Hosting;

/// <summary>What IEffect.EffectInfo reports for an effect created by the host.</summary>
internal sealed class EffectInfo(EffectBase effect) : ObjectRef, IEffectInfo2
{
    public string AssemblyLocation => effect.GetType().Assembly.Location;
    public EffectCategory Category =>
        (effect.GetType().GetCustomAttributes(typeof(EffectCategoryAttribute), false).FirstOrDefault() as EffectCategoryAttribute)?.Category ?? EffectCategory.Effect;
    public bool IsBuiltIn => false;
    public string Name => effect.Name;
    public IEffectOptions Options => effect.EffectOptions;
    public string? SubmenuName => effect.SubmenuName;
    public IPluginSupportInfo? SupportInfo =>
        effect.GetType().GetCustomAttributes(typeof(PluginSupportInfoAttribute), false).FirstOrDefault() as IPluginSupportInfo;
    public IEffect CreateInstance(IServiceProvider services, IEffectEnvironment environment)
    {
        var instance = (EffectBase)Activator.CreateInstance(effect.GetType())!;
        instance.Attach(services, environment);
        return instance;
    }
    public IBitmapSource? GetImage() => effect.Image;
    public bool Equals(IEffectInfo2? other) => other is EffectInfo e && e.Name == Name && e.AssemblyLocation == AssemblyLocation;
}

/// <summary>The IndirectUI dialog's stand-in: holds the token; there is no window on Linux.</summary>
internal sealed class PropertyBasedConfigForm(PropertyBasedBitmapEffect effect) : ObjectRef, IEffectConfigForm
{
    private IEffect _effect = effect;
    private EffectConfigToken _token = new PropertyBasedEffectConfigToken(effect.CreatePropertyCollection());

    public EffectConfigToken Token
    {
        get => _token;
        set { _token = value; TokenChanged?.Invoke(this, EventArgs.Empty); }
    }
    public void Close() { }
    public IEffect? GetEffect() => _effect;
    public void SetEffect(IEffect effect) => _effect = effect;
    public event EventHandler? TokenChanged;
}

internal sealed class RenderInfo : IBitmapEffectRenderInfo
{
    public BitmapEffectRenderingFlags Flags { get; set; }
    public PixelFormat OutputPixelFormat { get; set; } = PixelFormats.Bgra32;
    public BitmapEffectRenderingSchedule Schedule { get; set; } = BitmapEffectRenderingSchedule.SquareTiles;
}

/// <summary>
/// The renderer Paint.NET drives: Initialize (render info) → SetToken (per parameter change, with a fresh cancellation
/// token) → Render per tile into the caller's buffer, zero-filled unless the effect asked for an uninitialised buffer.
/// </summary>
internal sealed unsafe class BitmapEffectRenderer(BitmapEffect effect) : ObjectRef, IBitmapEffectRenderer
{
    private RenderInfo? _info;

    public IReadOnlyBitmapEffectRenderInfo RenderInfo => _info ?? throw new InvalidOperationException("Initialize the renderer first.");
    public CancellationToken CancellationToken => effect.Cancellation.Token;
    public IEffect Effect => effect;
    public bool IsCancelRequested => effect.Cancellation.IsCancellationRequested;
    public void CancelRendering() => effect.Cancellation.Cancel();
    public IColorContext GetRenderColorContext(in PixelFormat renderPixelFormat) => SrgbColorContext.Instance;

    public void Initialize(BitmapEffectInitializeInfo initializeInfo)
    {
        if (_info is not null) throw new InvalidOperationException("The renderer is already initialised.");
        var info = new RenderInfo();
        effect.InitializeRenderInfoCore(info);
        _info = info;
    }

    public void SetToken(EffectConfigToken? newToken)
    {
        if (_info is null) throw new InvalidOperationException("Initialize must precede SetToken.");
        effect.Cancellation = new CancellationTokenSource();
        effect.SetTokenCore(newToken);
    }

    public void Render(void* pBuffer, int bufferStride, nint bufferSize, in PixelFormat bufferPixelFormat, RectInt32 renderRect)
    {
        var info = _info ?? throw new InvalidOperationException("Initialize must precede Render.");
        if (bufferPixelFormat != info.OutputPixelFormat)
            throw new ArgumentException($"The buffer is {bufferPixelFormat} but the effect renders {info.OutputPixelFormat}.", nameof(bufferPixelFormat));
        int bytesPerPixel = info.OutputPixelFormat.GetBitsPerPixel() / 8;
        if (renderRect.Height > 0 && (long)bufferStride * (renderRect.Height - 1) + (long)renderRect.Width * bytesPerPixel > bufferSize)
            throw new ArgumentException("The buffer is smaller than the render rectangle.", nameof(bufferSize));
        if ((info.Flags & BitmapEffectRenderingFlags.UninitializedOutputBuffer) == 0)
            for (int y = 0; y < renderRect.Height; y++)
                new Span<byte>((byte*)pBuffer + (nint)y * bufferStride, renderRect.Width * bytesPerPixel).Clear();
        effect.RenderCore(new EffectOutput(pBuffer, bufferStride, renderRect, info.OutputPixelFormat));
    }
}

internal sealed unsafe class EffectOutput(void* buffer, int stride, RectInt32 bounds, PixelFormat format) : IBitmapEffectOutput
{
    public RectInt32 Bounds => bounds;
    public PixelFormat PixelFormat => format;

    public IBitmapLock Lock(in PixelFormat pixelFormat)
    {
        if (pixelFormat != format) throw new ArgumentException($"The output is {format}; it cannot be locked as {pixelFormat}.", nameof(pixelFormat));
        if (format == PixelFormats.Bgra32) return new BitmapLock<ColorBgra32>(this, (ColorBgra32*)buffer, bounds.Size, stride);
        if (format == PixelFormats.Pbgra32) return new BitmapLock<ColorPbgra32>(this, (ColorPbgra32*)buffer, bounds.Size, stride);
        if (format == PixelFormats.Rgba128Float) return new BitmapLock<ColorRgba128Float>(this, (ColorRgba128Float*)buffer, bounds.Size, stride);
        throw new NotSupportedException($"The facade's host does not render {format}.");
    }
}
