using PaintDotNet;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Interop;
using PdnSegmentation.Scissors;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>
/// Snap to Edges: the magnetic lasso Paint.NET lacks, as an effect. The user draws a rough lasso, polygon or rectangle
/// selection around the object; each of its outlines (every part, every hole) is pulled onto the object's edges within
/// a corridor, and the enclosed object is cut out like the other effects do. The snapped outlines are cached by the
/// corridor and anchor spacing, so changing the edge quality or the output mode does not snap again.
/// </summary>
[PluginSupportInfo<PluginSupportInfo>]
public sealed class SnapToEdgesEffect : WholeImageEffect
{
    public enum PropertyNames
    {
        Corridor,
        AnchorSpacing,
        EdgeQuality,
        BandWidth,
        Output,
    }

    private (int Corridor, int Spacing)? _snapKey;
    private Mask? _snapped;
    private readonly EdgeCache _edge = new();

    /// <summary>How many snaps this dialog session needed (tests check that previews reuse them).</summary>
    internal int SnapsComputed { get; private set; }

    public SnapToEdgesEffect() : base("Snap to Edges", "SnapToEdges") { }

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var defaults = new EdgeSnapOptions();
        return new(
        [
            new Int32Property(PropertyNames.Corridor, defaults.Corridor, 1, 100),
            new Int32Property(PropertyNames.AnchorSpacing, defaults.AnchorSpacing, 4, 400),
            ..CutOptions.Properties(EdgeQuality.Hard),
        ]);
    }

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        ui.SetPropertyControlValue(PropertyNames.Corridor, ControlInfoPropertyNames.DisplayName, "Corridor: how far the outline may move (pixels)");
        ui.SetPropertyControlValue(PropertyNames.AnchorSpacing, ControlInfoPropertyNames.DisplayName, "Anchor spacing along the outline (pixels)");
        CutOptions.Label(ui);
        return ui;
    }

    protected override void OnCustomizeConfigUIWindowProperties(PropertyCollection props) =>
        EffectDialog.Help(props, "Snap to Edges",
            "Draw a rough selection around the object with the Lasso Select tool (a polygon or rectangle works too). Snap to Edges " +
            "pulls its outline onto the object's edges, at most the corridor's width away, and cuts the object out. " +
            "Widen the corridor when the selection is far from the edge; narrow it when the outline jumps to a nearby edge.");

    protected override ColorImage Compute(PropertyBasedEffectConfigToken token)
    {
        int corridor = token.GetProperty<Int32Property>(PropertyNames.Corridor)!.Value;
        int spacing = token.GetProperty<Int32Property>(PropertyNames.AnchorSpacing)!.Value;
        var settings = CutOptions.Read(token);
        var snapped = Snap(corridor, spacing);
        var (alpha, colors) = _edge.Get(Source, snapped, settings, WorkCancellation);
        return CutOutput.Compose(Source, alpha, colors, settings.Output, selectionCoverage: null);
    }

    private Mask Snap(int corridor, int spacing)
    {
        if (_snapKey == (corridor, spacing) && _snapped is not null) return _snapped;
        var source = Source;
        var outlines = SelectionOutlines(Coverage, source.Width, source.Height);
        var result = EdgeSnapping.Snap(source, outlines, new EdgeSnapOptions { Corridor = corridor, AnchorSpacing = spacing }, null, WorkCancellation);
        _snapped = result.Foreground;
        _snapKey = (corridor, spacing);
        SnapsComputed++;
        return _snapped;
    }

    /// <summary>
    /// The selection's outlines: every part's boundary and every hole's. No selection means Paint.NET selects the whole
    /// canvas, whose outline is the image border — nothing to snap: say so.
    /// </summary>
    internal static IReadOnlyList<Outline> SelectionOutlines(byte[] coverage, int width, int height)
    {
        if (PdnImages.IsWholeCanvas(coverage))
            throw new SegmentationInputException("Snap to Edges needs a rough selection around the object: draw one with the Lasso Select tool " +
                                                 "(or a rectangle or polygon), then run Snap to Edges again.");
        var outlines = Outline.FromMask(PdnImages.SelectedPixels(coverage, width, height));
        if (outlines.Count == 0)
            throw new SegmentationInputException("The selection is empty or too small to snap: draw a selection around the object and run Snap to Edges again.");
        return outlines;
    }
}
