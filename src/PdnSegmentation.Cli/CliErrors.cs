namespace PdnSegmentation.Cli;

/// <summary>Exit codes of every pdnseg command.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The input cannot be used (missing or unreadable file, sizes that differ, hints that leave nothing).</summary>
    public const int BadInput = 1;
    /// <summary>The command line itself is wrong (unknown option, malformed rectangle).</summary>
    public const int Usage = 2;
    public const int Cancelled = 130;
}

/// <summary>The command line is malformed; the message says what was expected.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A file given on the command line cannot be used; the message names it.</summary>
public sealed class InputFileException(string message) : Exception(message);
