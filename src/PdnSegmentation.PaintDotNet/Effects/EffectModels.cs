using PaintDotNet.Effects;
using PdnSegmentation.Deep.Matting;
using PdnSegmentation.Deep.Models;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.PaintDotNet.Effects;

/// <summary>The models an effect sees: those bundled in models/ beside the plugin, and those the user installed with pdnseg's model manager.</summary>
internal static class EffectModels
{
    public static ModelStore Store(IEffect effect) => ModelStore.Beside(Path.GetDirectoryName(effect.EffectInfo.AssemblyLocation)!);

    /// <summary>The deep matting model the refined edge uses when one is installed (null: closed-form).</summary>
    public static InstalledModel? Matting(IEffect effect) => Store(effect).Find(DeepMatting.Task, null);
}
