namespace PdnSegmentation;

/// <summary>
/// The input cannot be segmented as given (empty selection, hints that leave nothing to cut, sizes that differ).
/// The message names the problem and what to do; hosts show it as is.
/// </summary>
public class SegmentationInputException : ArgumentException
{
    public SegmentationInputException(string message) : base(message) { }
    public SegmentationInputException(string message, Exception? inner) : base(message, inner) { }
}
