namespace PdnSegmentation.Cli.Terminal;

/// <summary>A one-line progress bar on stderr, shown only when stderr is a terminal (never in logs or pipes).</summary>
public sealed class ConsoleProgress : IProgress<double>, IDisposable
{
    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly bool _enabled;
    private int _lastPercent = -1;

    public ConsoleProgress(TextWriter writer, string label)
    {
        _writer = writer;
        _label = label;
        _enabled = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Report(double value)
    {
        if (!_enabled) return;
        int percent = (int)Math.Round(Math.Clamp(value, 0, 1) * 100);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        int filled = percent / 4;
        lock (_writer) _writer.Write($"\r{_label} [{new string('#', filled)}{new string(' ', 25 - filled)}] {percent,3}%");
    }

    public void Dispose()
    {
        if (_enabled && _lastPercent >= 0) lock (_writer) _writer.Write("\r" + new string(' ', _label.Length + 34) + "\r");
    }
}
