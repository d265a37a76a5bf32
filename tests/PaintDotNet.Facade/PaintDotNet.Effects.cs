namespace PaintDotNet.Effects;

// Members whose Paint.NET declaration ("{ get; }") cannot carry a body are preceded by that declaration as a comment;
// the reflection test checks the compiled surface against api-5.1.9.json. Host hooks are internal (the test host
// drives effects through IEffect.CreateRenderer<IBitmapEffectRenderer>(), as Paint.NET does).

public abstract class EffectBase : RefTrackedObject, ISerializable, IEffect, IObjectRef, IIsDisposed, IDisposable
{
    private IServiceProvider? _services;
    private IEffectEnvironment? _environment;
    private IEffectInfo2? _info;
    private EffectConfigToken? _token;
    internal CancellationTokenSource Cancellation = new();

    internal EffectBase(string name, IBitmapSource? image, string? submenuName, IEffectOptions options)
    {
        Name = name;
        Image = image;
        SubmenuName = submenuName;
        EffectOptions = options;
    }

    internal string Name { get; }
    internal IBitmapSource? Image { get; }
    internal string? SubmenuName { get; }
    internal IEffectOptions EffectOptions { get; }

    /// <summary>Host hook: what Paint.NET attaches after construction.</summary>
    internal void Attach(IServiceProvider services, IEffectEnvironment environment, IEffectInfo2? info = null)
    {
        _services = services;
        _environment = environment;
        _info = info;
    }

    internal IEffectEnvironment HostEnvironment => _environment ?? throw new InvalidOperationException("Paint.NET has not attached an environment to this effect yet.");

    // protected CancellationToken CancellationToken { get; }
    protected CancellationToken CancellationToken => Cancellation.Token;
    // protected bool IsCancelRequested { get; }
    protected bool IsCancelRequested => Cancellation.IsCancellationRequested;
    // protected IServiceProvider Services { get; }
    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("Paint.NET has not attached services to this effect yet.");
    // protected EffectConfigToken Token { get; }
    protected EffectConfigToken Token => _token!;
    internal void SetTokenField(EffectConfigToken? token) => _token = token;
    protected override sealed void Dispose(bool disposing)
    {
        OnDispose(disposing);
        base.Dispose(disposing);
    }
    protected virtual IEffectConfigForm OnCreateConfigForm() => throw new NotSupportedException("This effect has no configuration dialog.");
    protected virtual void OnDispose(bool disposing) { }

    IEffectInfo2 IEffect.EffectInfo => _info ??= new EffectInfo(this);
    IEffectEnvironment IEffect.Environment => HostEnvironment;
    IEffectOptions IEffect.Options => EffectOptions;
    IServiceProvider IEffect.Services => Services;
    IEffectConfigForm IEffect.CreateConfigForm() => OnCreateConfigForm();
    IEffectRenderer IEffect.CreateRenderer(Type interfaceType) =>
        ((IEffect)this).IsRendererAvailable(interfaceType) ? CreateRendererCore() : throw new NotSupportedException($"No {interfaceType.Name} for this effect.");
    TRenderer IEffect.CreateRenderer<TRenderer>() => (TRenderer)((IEffect)this).CreateRenderer(typeof(TRenderer));
    bool IEffect.IsRendererAvailable(Type interfaceType) => interfaceType.IsAssignableFrom(typeof(BitmapEffectRenderer)) && this is BitmapEffect;
    bool IEffect.IsRendererAvailable<TRenderer>() => ((IEffect)this).IsRendererAvailable(typeof(TRenderer));

    private protected virtual IEffectRenderer CreateRendererCore() => throw new NotSupportedException("This effect has no renderer.");
}

public abstract class BitmapEffect : EffectBase, ISerializable, IBitmapEffect, IEffect, IObjectRef, IIsDisposed, IDisposable
{
    protected BitmapEffect(string name, IBitmapSource image, string? submenuName, BitmapEffectOptions options) : base(name, image, submenuName, options) { }
    protected BitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, null, submenuName, options) { }
    // protected IBitmapEffectEnvironment Environment { get; }
    protected IBitmapEffectEnvironment Environment => (IBitmapEffectEnvironment)HostEnvironment;
    protected override void OnDispose(bool disposing) { }
    protected virtual void OnInitializeRenderInfo(IBitmapEffectRenderInfo renderInfo) { }
    protected abstract void OnRender(IBitmapEffectOutput output);
    protected virtual void OnSetToken(EffectConfigToken? newToken) => SetTokenField(newToken);

    IBitmapEffectEnvironment IBitmapEffect.Environment => Environment;
    IBitmapEffectOptions IBitmapEffect.Options => (IBitmapEffectOptions)EffectOptions;

    internal void InitializeRenderInfoCore(IBitmapEffectRenderInfo renderInfo) => OnInitializeRenderInfo(renderInfo);
    internal void SetTokenCore(EffectConfigToken? token) => OnSetToken(token);
    internal void RenderCore(IBitmapEffectOutput output) => OnRender(output);
    private protected override IEffectRenderer CreateRendererCore() => new BitmapEffectRenderer(this);
}

public abstract class BitmapEffect<TToken> : BitmapEffect, ISerializable, IBitmapEffect, IEffect<TToken>, IEffect, IObjectRef, IIsDisposed, IDisposable where TToken : EffectConfigToken
{
    protected BitmapEffect(string name, IBitmapSource image, string? submenuName, BitmapEffectOptions options) : base(name, image, submenuName, options) { }
    protected BitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, submenuName, options) { }
    // protected TToken Token { get; }
    new protected TToken Token => (TToken)base.Token;
    protected override sealed void OnSetToken(EffectConfigToken? newToken) => OnSetToken((TToken?)newToken);
    protected virtual void OnSetToken(TToken? newToken) => SetTokenField(newToken);
}

public abstract class PropertyBasedBitmapEffect : BitmapEffect<PropertyBasedEffectConfigToken>, ISerializable, IBitmapEffect, IEffect<PropertyBasedEffectConfigToken>, IEffect, IObjectRef, IIsDisposed, IDisposable
{
    protected PropertyBasedBitmapEffect(string name, IBitmapSource image, string? submenuName, BitmapEffectOptions options) : base(name, image, submenuName, options) { }
    protected PropertyBasedBitmapEffect(string name, string? submenuName, BitmapEffectOptions options) : base(name, submenuName, options) { }
    public ControlInfo CreateConfigUI(PropertyCollection props)
    {
        var ui = OnCreateConfigUI(props);
        WindowProperties = new PropertyCollection(Enum.GetValues<ControlInfoPropertyNames>().Select(n => (Property)new ObjectProperty(n, null)));
        OnCustomizeConfigUIWindowProperties(WindowProperties);
        return ui;
    }
    public static ControlInfo CreateDefaultConfigUI(IEnumerable<Property> props) => ControlInfo.CreateDefaultConfigUI(props);
    public PropertyCollection CreatePropertyCollection() => OnCreatePropertyCollection();
    protected override sealed IEffectConfigForm OnCreateConfigForm() => new PropertyBasedConfigForm(this);
    protected virtual ControlInfo OnCreateConfigUI(PropertyCollection props) => CreateDefaultConfigUI(props);
    protected abstract PropertyCollection OnCreatePropertyCollection();
    protected virtual void OnCustomizeConfigUIWindowProperties(PropertyCollection props) { }

    /// <summary>Window-level values (title, help) the effect set in OnCustomizeConfigUIWindowProperties.</summary>
    internal PropertyCollection? WindowProperties { get; private set; }
}

public abstract class EffectConfigToken : ICloneable
{
    protected EffectConfigToken() { }
    protected EffectConfigToken(EffectConfigToken copyMe) { }
    public abstract object Clone();
}

public sealed class PropertyBasedEffectConfigToken : EffectConfigToken, ICloneable
{
    public PropertyBasedEffectConfigToken(PropertyCollection propertyCollection) { Properties = propertyCollection; }
    public PropertyCollection Properties { get; }
    // public IEnumerable<string> PropertyNames { get; }
    public IEnumerable<string> PropertyNames => Properties.PropertyNames;
    public override object Clone() => new PropertyBasedEffectConfigToken(Properties.Clone());
    public Property? GetProperty(object propertyName) => Properties[propertyName];
    public T? GetProperty<T>(object propertyName) where T : Property => Properties[propertyName] as T;
    public bool SetPropertyValue(object propertyName, object newValue)
    {
        if (Properties[propertyName] is not { } property) return false;
        property.SetValueCore(newValue);
        return true;
    }
}

public record EffectOptionsBase : PluginOptions, IEffectOptions
{
    internal EffectOptionsBase() { }
    public bool IsConfigurable { get; set; }
}

public abstract record BitmapEffectOptionsFactory : EffectOptionsBase, IEffectOptions
{
    internal BitmapEffectOptionsFactory() { }
    public static BitmapEffectOptions Create() => new();
}

public record BitmapEffectOptions : BitmapEffectOptionsFactory, IBitmapEffectOptions, IEffectOptions
{
    internal BitmapEffectOptions() { }
}

public interface IEffectInfo2 : IObjectRef, IIsDisposed, IDisposable, IEquatable<IEffectInfo2>, IInternalImpl
{
    string AssemblyLocation { get; }
    EffectCategory Category { get; }
    bool IsBuiltIn { get; }
    string Name { get; }
    IEffectOptions Options { get; }
    string? SubmenuName { get; }
    IPluginSupportInfo? SupportInfo { get; }
    IEffect CreateInstance(IServiceProvider services, IEffectEnvironment environment);
    IBitmapSource? GetImage();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class EffectCategoryAttribute : Attribute
{
    public EffectCategoryAttribute(EffectCategory category) { Category = category; }
    public EffectCategory Category { get; }
}

public enum EffectCategory
{
    Effect = 0,
    Adjustment = 1,
    DoNotDisplay = 2,
}

public static class SubmenuNames
{
    // English names (Paint.NET localises them).
    // public static string Artistic { get; }
    public static string Artistic => "Artistic";
    // public static string Blurs { get; }
    public static string Blurs => "Blurs";
    // public static string Color { get; }
    public static string Color => "Color";
    // public static string Distort { get; }
    public static string Distort => "Distort";
    // public static string Noise { get; }
    public static string Noise => "Noise";
    // public static string Object { get; }
    public static string Object => "Object";
    // public static string Photo { get; }
    public static string Photo => "Photo";
    // public static string Render { get; }
    public static string Render => "Render";
    // public static string Stylize { get; }
    public static string Stylize => "Stylize";
}

public static class BitmapEffectOutputExtensions
{
    public static IBitmapLock<ColorBgra32> LockBgra32(this IBitmapEffectOutput output) => (IBitmapLock<ColorBgra32>)output.Lock(PixelFormats.Bgra32);
    public static IBitmapLock<TPixel> Lock<TPixel>(this IBitmapEffectOutput output) where TPixel : unmanaged, INaturalPixelInfo => (IBitmapLock<TPixel>)output.Lock(PixelFormats.Of<TPixel>());
}

public static class BitmapEffectRendererExtensions
{
    public static unsafe void Render(this IBitmapEffectRenderer renderer, IBitmapLock buffer, Point2Int32 renderOffset) =>
        renderer.Render(buffer.Buffer, buffer.BufferStride, (nint)buffer.BufferSize, buffer.PixelFormat, new RectInt32(renderOffset, buffer.Size));
    public static void Render<TPixel>(this IBitmapEffectRenderer renderer, IBitmapLock<TPixel> buffer, Point2Int32 renderOffset) where TPixel : unmanaged, INaturalPixelInfo =>
        renderer.Render((IBitmapLock)buffer, renderOffset);
    public static unsafe void Render<TPixel>(this IBitmapEffectRenderer renderer, RegionPtr<TPixel> buffer, Point2Int32 renderOffset) where TPixel : unmanaged, INaturalPixelInfo =>
        renderer.Render(buffer.Ptr, buffer.Stride, (nint)((long)buffer.Stride * Math.Max(0, buffer.Height - 1) + (long)buffer.Width * sizeof(TPixel)),
            PixelFormats.Of<TPixel>(), new RectInt32(renderOffset, buffer.Size));
}

public sealed class BitmapEffectInitializeInfo
{
    public BitmapEffectInitializeInfo() { }
}

public static class EffectEnvironmentExtensions
{
    public static IEffectInputBitmap GetSourceBitmap(this IEffectEnvironment environment, in PixelFormat pixelFormat) =>
        environment.Document.Layers[environment.SourceLayerIndex].GetBitmap(pixelFormat);
    public static IEffectInputBitmap<ColorBgra32> GetSourceBitmapBgra32(this IEffectEnvironment environment) =>
        (IEffectInputBitmap<ColorBgra32>)environment.GetSourceBitmap(PixelFormats.Bgra32);
    public static IEffectInputBitmap<TPixel> GetSourceBitmap<TPixel>(this IEffectEnvironment environment) where TPixel : unmanaged, INaturalPixelInfo =>
        (IEffectInputBitmap<TPixel>)environment.GetSourceBitmap(PixelFormats.Of<TPixel>());
}

public static class EffectDocumentInfoExtensions
{
    public static IEffectInputBitmap<ColorBgra32> GetBitmapBgra32(this IEffectDocumentInfo document) => (IEffectInputBitmap<ColorBgra32>)document.GetBitmap(PixelFormats.Bgra32);
    public static IEffectInputBitmap<TPixel> GetBitmap<TPixel>(this IEffectDocumentInfo document) where TPixel : unmanaged, INaturalPixelInfo =>
        (IEffectInputBitmap<TPixel>)document.GetBitmap(PixelFormats.Of<TPixel>());
}

public static class EffectLayerInfoExtensions
{
    public static IEffectInputBitmap<ColorBgra32> GetBitmapBgra32(this IEffectLayerInfo layer) => (IEffectInputBitmap<ColorBgra32>)layer.GetBitmap(PixelFormats.Bgra32);
    public static IEffectInputBitmap<TPixel> GetBitmap<TPixel>(this IEffectLayerInfo layer) where TPixel : unmanaged, INaturalPixelInfo =>
        (IEffectInputBitmap<TPixel>)layer.GetBitmap(PixelFormats.Of<TPixel>());
}

public static class EffectSelectionInfoExtensions
{
    public static IEnumerable<RectInt32> GetRenderScansClipped(this IEffectSelectionInfo selectionInfo, RectInt32 clipRect) =>
        selectionInfo.RenderScans.Select(r => RectInt32.Intersect(r, clipRect)).Where(r => r.HasArea);
}


public interface IEffectOptions
{
    bool IsConfigurable { get; }
}

public interface IBitmapEffectOptions : IEffectOptions
{
}

public interface IEffectConfigForm : IIsDisposed, IDisposable
{
    EffectConfigToken Token { get; set; }
    void Close();
    IEffect? GetEffect();
    void SetEffect(IEffect effect);
    event EventHandler? TokenChanged;
}

public interface IEffect : IObjectRef, IIsDisposed, IDisposable
{
    IEffectInfo2 EffectInfo { get; }
    IEffectEnvironment Environment { get; }
    IEffectOptions Options { get; }
    IServiceProvider Services { get; }
    IEffectConfigForm CreateConfigForm();
    IEffectRenderer CreateRenderer(Type interfaceType);
    TRenderer CreateRenderer<TRenderer>() where TRenderer : class, IEffectRenderer;
    bool IsRendererAvailable(Type interfaceType);
    bool IsRendererAvailable<TRenderer>() where TRenderer : class, IEffectRenderer;
}

public interface IEffect<TToken> : IEffect, IObjectRef, IIsDisposed, IDisposable where TToken : EffectConfigToken
{
}

public interface IBitmapEffect : IEffect, IObjectRef, IIsDisposed, IDisposable
{
    new IBitmapEffectEnvironment Environment { get; }
    new IBitmapEffectOptions Options { get; }
}

public interface IBitmapEffectRenderInfo : IReadOnlyBitmapEffectRenderInfo, IInternalImpl
{
    new BitmapEffectRenderingFlags Flags { get; set; }
    new PixelFormat OutputPixelFormat { get; set; }
    new BitmapEffectRenderingSchedule Schedule { get; set; }
}

public interface IReadOnlyBitmapEffectRenderInfo : IInternalImpl
{
    BitmapEffectRenderingFlags Flags { get; }
    PixelFormat OutputPixelFormat { get; }
    BitmapEffectRenderingSchedule Schedule { get; }
}

[Flags]
public enum BitmapEffectRenderingFlags : ulong
{
    None = 0,
    SingleThreaded = 1,
    DisableSelectionClipping = 2,
    ForceAliasedSelectionQuality = 4,
    FirstTileIsRenderedWithBarrier = 8,
    UninitializedOutputBuffer = 16,
}

public enum BitmapEffectRenderingSchedule : long
{
    None = 0,
    HorizontalStrips = 1,
    SquareTiles = 2,
}

public interface IBitmapEffectOutput : IInternalImpl
{
    RectInt32 Bounds { get; }
    PixelFormat PixelFormat { get; }
    IBitmapLock Lock(in PixelFormat pixelFormat);
}

public interface IEffectRenderer : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    CancellationToken CancellationToken { get; }
    IEffect Effect { get; }
    bool IsCancelRequested { get; }
    void CancelRendering();
}

public unsafe interface IBitmapEffectRenderer : IEffectRenderer, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IReadOnlyBitmapEffectRenderInfo RenderInfo { get; }
    IColorContext GetRenderColorContext(in PixelFormat renderPixelFormat);
    void Initialize(BitmapEffectInitializeInfo initializeInfo);
    void Render(void* pBuffer, int bufferStride, nint bufferSize, in PixelFormat bufferPixelFormat, RectInt32 renderRect);
    void SetToken(EffectConfigToken? newToken);
}

public interface IEffectEnvironment : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    float BrushSize { get; }
    IEffectDocumentInfo Document { get; }
    IEffectSelectionInfo Selection { get; }
    int SourceLayerIndex { get; }
}

public interface IEffectEnvironment2 : IEffectEnvironment, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    ManagedColor PrimaryColor { get; }
    ManagedColor SecondaryColor { get; }
}

public interface IBitmapEffectEnvironment : IEffectEnvironment2, IEffectEnvironment, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    new IBitmapEffectDocumentInfo Document { get; }
    IImagingFactory ImagingFactory { get; }
    new IBitmapEffectSelectionInfo Selection { get; }
}

public interface IEffectDocumentInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IColorContext ColorContext { get; }
    IReadOnlyList<IEffectLayerInfo> Layers { get; }
    IEffectDocumentMetadata Metadata { get; }
    PixelFormat PixelFormat { get; }
    Resolution Resolution { get; }
    SizeInt32 Size { get; }
    IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat);
}

public interface IBitmapEffectDocumentInfo : IEffectDocumentInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    new IReadOnlyList<IBitmapEffectLayerInfo> Layers { get; }
}

public interface IEffectDocumentMetadata : IInternalImpl
{
    IReadOnlyList<ExifPropertyItem> ExifPropertyItems { get; }
    IReadOnlyList<IptcPropertyItem> IptcPropertyItems { get; }
    XmpPacket? XmpPacket { get; }
}

public interface IEffectLayerInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    LayerBlendMode BlendMode { get; }
    string Name { get; }
    float Opacity { get; }
    bool Visible { get; }
    IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat);
}

public interface IBitmapEffectLayerInfo : IEffectLayerInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
}

public interface IEffectSelectionInfo : IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IEffectInputBitmap<ColorAlpha8> MaskBitmap { get; }
    RectInt32 RenderBounds { get; }
    IReadOnlyList<RectInt32> RenderScans { get; }
}

public interface IBitmapEffectSelectionInfo : IEffectSelectionInfo, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IGeometry Geometry { get; }
}

public interface IEffectInputBitmap : IBitmapSource, IObjectRef, IIsDisposed, IDisposable, IInternalImpl
{
    IColorContext? ColorContext { get; }
    IBitmapLock Lock(RectInt32 rect);
}

public interface IEffectInputBitmap<TPixel> : IEffectInputBitmap, IInternalImpl, IBitmapSource<TPixel>, IBitmapSource, IObjectRef, IIsDisposed, IDisposable where TPixel : unmanaged, INaturalPixelInfo
{
    new IBitmapLock<TPixel> Lock(RectInt32 rect);
}
