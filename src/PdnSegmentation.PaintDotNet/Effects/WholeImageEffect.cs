using PaintDotNet.Effects;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Interop;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// The shape every effect of this plugin shares. The whole-image work runs in OnSetToken — no render thread is active
/// then and the token is final — and produces the finished layer; OnRender only copies tiles of it, so it is safe in
/// parallel and in any order. Selection clipping is off because a cut-out must clear pixels outside the selection;
/// effects apply the selection themselves where the user wants it (see <see cref="CutOutput"/>).
/// <para>
/// Errors the user can cause are thrown from OnSetToken as <see cref="SegmentationInputException"/> with a message that
/// names the problem and what to do: an IndirectUI dialog has no API to show text computed after it opens, so Paint.NET's
/// error dialog (which reports the exception's message with the plugin's support info) is where the user reads it; the
/// layer is left unchanged. Cancellation leaves no result, and OnRender then copies the layer as it was.
/// </para>
/// <para>
/// The work runs on a worker task that OnSetToken waits for, so a cancel returns at once even while the engine is in a
/// stretch without a cancellation check; the abandoned task stops at its next check and the next OnSetToken waits for
/// it before touching the caches again. Effects pass <see cref="WorkCancellation"/> (the token of the run they belong
/// to) to the engine, never the renderer's current token, which Paint.NET replaces for the next run.
/// </para>
/// </summary>
public abstract class WholeImageEffect : PropertyBasedBitmapEffect
{
    private ColorImage? _source;
    private byte[]? _coverage;
    private ColorImage? _result;
    private Task? _abandoned;

    protected WholeImageEffect(string name, string icon)
        : base(name, EffectIcons.Load(icon), SubmenuNames.Object, BitmapEffectOptions.Create() with { IsConfigurable = true })
    {
    }

    /// <summary>The current layer as it was before the effect (read once per dialog session).</summary>
    protected ColorImage Source => _source ??= PdnImages.ReadLayer(Environment.GetSourceBitmapBgra32());

    /// <summary>Selection coverage 0..255 per pixel (255 everywhere when nothing is selected).</summary>
    protected byte[] Coverage => _coverage ??= PdnImages.ReadCoverage(Environment.Selection.MaskBitmap);

    protected override void OnInitializeRenderInfo(IBitmapEffectRenderInfo renderInfo)
    {
        renderInfo.Flags |= BitmapEffectRenderingFlags.DisableSelectionClipping;
        base.OnInitializeRenderInfo(renderInfo);
    }

    /// <summary>
    /// A run that allocated at least this much gives the memory it freed back to the system as it ends. Such a run leaves
    /// a gigabyte or more of freed buffers that .NET's collector keeps and returns only gradually, so the next dialog's
    /// peak stacks on them: Smart Cut at 24 MP (1.3 GB allocated per run), three dialogs in a row, peaked at 1.80–1.99 /
    /// 2.11–2.12 / 2.11–2.13 GB, and at 1.70–1.89 / 1.78–1.99 / 1.78–1.83 GB with this (`effect-memory 24 later`). The
    /// collection takes 80–100 ms of a 3–9 s run. Decided by what the run allocated, not by the photo's size: a 1 MP
    /// Smart Cut allocates 27–171 MB (its time is what counts there), and a preview that reuses a cached cut is not
    /// slowed unless it allocates as much as a cut.
    /// </summary>
    internal const long GiveBackMemoryAfterAllocating = 512L << 20;

    /// <summary>The cancellation token of the run in progress (pass it to the engine).</summary>
    protected CancellationToken WorkCancellation { get; private set; }

    protected override sealed void OnSetToken(PropertyBasedEffectConfigToken? newToken)
    {
        base.OnSetToken(newToken);
        _result = null;
        WaitForAbandonedWork();
        if (newToken is null) return;
        // Read on this thread: after a cancel, OnRender copies the layer while the abandoned task may still run.
        _ = Source;
        _ = Coverage;
        var cancellation = CancellationToken;
        WorkCancellation = cancellation;
        var work = Task.Run(() =>
        {
            long allocatedBefore = GC.GetTotalAllocatedBytes();
            var result = Compute(newToken);
            if (GC.GetTotalAllocatedBytes() - allocatedBefore >= GiveBackMemoryAfterAllocating)
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return result;
        }, CancellationToken.None);
        try
        {
            work.Wait(cancellation);
            _result = work.Result;
        }
        catch (OperationCanceledException)
        {
            _abandoned = work; // still running until its next cancellation check
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    private void WaitForAbandonedWork()
    {
        if (_abandoned is not { } task) return;
        try { task.Wait(); }
        catch (AggregateException) { } // its cancellation (or a failure nobody asked for any more)
        _abandoned = null;
    }

    /// <summary>The new layer for these parameters (cache what a preview change does not need to redo).</summary>
    protected abstract ColorImage Compute(PropertyBasedEffectConfigToken token);

    protected override sealed void OnRender(IBitmapEffectOutput output) => PdnImages.WriteTile(_result ?? Source, output);

    protected override void OnDispose(bool disposing)
    {
        if (disposing) WaitForAbandonedWork();
        base.OnDispose(disposing);
    }

    /// <summary>Selection coverage for "keep outside the selection", or null to clear it.</summary>
    protected byte[]? KeepOutside(bool clearOutside) => clearOutside ? null : Coverage;
}
