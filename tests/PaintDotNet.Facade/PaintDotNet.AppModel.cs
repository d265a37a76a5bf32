namespace PaintDotNet.AppModel;

public abstract record PluginOptions
{
    internal PluginOptions() { }
    // public bool IsFrozen { get; }
    public bool IsFrozen { get; internal init; }
}
