using PaintDotNet.Effects;
using PdnSegmentation.Imaging;
using PdnSegmentation.PaintDotNet.Interop;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>Reads a layer the user picked for hints or strokes, refusing layers that cannot be what was asked for.</summary>
internal static class HintLayers
{
    /// <summary>Painted pixels of the chosen layer, or null for "none".</summary>
    public static Mask? Read(IBitmapEffectEnvironment environment, int layerIndex, string purpose)
    {
        if (layerIndex == LayerChoices.None) return null;
        var layer = ReadColors(environment, layerIndex, purpose);
        var painted = PdnImages.PaintedPixels(layer);
        string name = environment.Document.Layers[layerIndex].Name;
        if (painted.Bits.IndexOf((byte)0) < 0)
            throw new SegmentationInputException($"The layer '{name}' chosen for {purpose} is opaque everywhere, so it looks like a picture, not hints. " +
                                                 "Paint hints on a new transparent layer (only painted pixels count), or choose (none).");
        return painted;
    }

    public static ColorImage ReadColors(IBitmapEffectEnvironment environment, int layerIndex, string purpose)
    {
        var layers = environment.Document.Layers;
        if ((uint)layerIndex >= (uint)layers.Count)
            throw new SegmentationInputException($"The layer chosen for {purpose} no longer exists: pick another layer.");
        if (layerIndex == environment.SourceLayerIndex)
            throw new SegmentationInputException($"The layer '{layers[layerIndex].Name}' is the one being cut, so it cannot also hold the {purpose}: pick another layer.");
        return PdnImages.ReadLayer(layers[layerIndex].GetBitmapBgra32());
    }
}
