namespace PdnSegmentation.Deep.Subject;

public enum SubjectModelKind
{
    /// <summary>U²-Netp (Qin et al. 2020): the salient object, any kind; 320×320.</summary>
    U2Netp,
    /// <summary>MediaPipe Selfie Segmentation: people; 256×256, fast.</summary>
    Selfie,
}

/// <summary>
/// The tensor contract and preprocessing of a bundled subject model, exactly as its SOURCE.md (models/*/SOURCE.md)
/// states: input and output names, side, layout, normalisation; file size and SHA-256 pinned.
/// </summary>
internal sealed record SubjectModel(string Folder, string FileName, long Size, string Sha256, string Input, string Output, int Side,
    bool ChannelsFirst, bool ImageNetNormalised, bool MinMaxOutput)
{
    public static SubjectModel For(SubjectModelKind kind) => kind switch
    {
        SubjectModelKind.U2Netp => new("u2netp", "u2netp.onnx", 4_574_861, "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
            "input.1", "1959", 320, ChannelsFirst: true, ImageNetNormalised: true, MinMaxOutput: true),
        SubjectModelKind.Selfie => new("mediapipe-selfie-segmentation", "selfie_segmentation.onnx", 447_596, "1511ab5564cb0ae179cba9bcad6ad931003ccc71656f11fd270967023678c6a5",
            "input_1:0", "activation_10", 256, ChannelsFirst: false, ImageNetNormalised: false, MinMaxOutput: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
