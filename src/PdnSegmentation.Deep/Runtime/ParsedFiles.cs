using System.Collections.Concurrent;

namespace PdnSegmentation.Deep.Runtime;

/// <summary>
/// What the model folders' JSON files (descriptors, the catalogue) were parsed into, reused while a file's text is
/// unchanged. Hosts list the installed models several times per use — a Paint.NET dialog four times (its property
/// list, its labels, its run) — and parsing afresh each time kept System.Text.Json's code being compiled across a
/// process's first dialogs: about 90 ms of JIT time in the second Smart Cut dialog (the runtime's JIT events). The
/// file is still read each time and compared whole, so an edited or reinstalled model is never served stale.
/// </summary>
internal static class ParsedFiles
{
    private static readonly ConcurrentDictionary<string, (string Text, object Value)> s_parsed = new(StringComparer.Ordinal);

    /// <summary>The value <paramref name="parse"/> made of <paramref name="text"/> (the file at <paramref name="path"/>), parsed once per distinct text.</summary>
    public static T Get<T>(string path, string text, Func<string, T> parse) where T : class
    {
        if (s_parsed.TryGetValue(path, out var entry) && entry.Value is T value && string.Equals(entry.Text, text, StringComparison.Ordinal)) return value;
        var parsed = parse(text);
        s_parsed[path] = (text, parsed);
        return parsed;
    }
}
