namespace PdnSegmentation;

/// <summary>
/// The input cannot be segmented as given (empty selection, hints that leave nothing to cut, sizes that differ).
/// The message names the problem and what to do; hosts show it as is.
/// </summary>
public class SegmentationInputException(string message) : ArgumentException(message);
