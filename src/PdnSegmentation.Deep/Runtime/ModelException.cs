namespace PdnSegmentation.Deep.Runtime;

/// <summary>A model file that is missing, truncated, corrupt or not the model expected; the message names the file.</summary>
public sealed class ModelException(string message, Exception? inner = null) : SegmentationInputException(message, inner);
