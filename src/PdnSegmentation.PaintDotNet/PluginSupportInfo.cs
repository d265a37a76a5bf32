using System.Reflection;
using PaintDotNet;

namespace PdnSegmentation.PaintDotNet;

/// <summary>What Paint.NET shows in its plugin list and error dialogs.</summary>
public sealed class PluginSupportInfo : IPluginSupportInfo
{
    public string? Author => "PdnSegmentation contributors";
    public string? Copyright => "PdnSegmentation contributors";
    public string? DisplayName => "PdnSegmentation";
    public Version? Version => typeof(PluginSupportInfo).Assembly.GetName().Version;
    public Uri? WebsiteUri => null;
}
