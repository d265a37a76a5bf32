namespace PdnSegmentation.Progress;

/// <summary>
/// Maps a stage's own 0..1 progress onto a slice of the caller's 0..1 range, so nested stages
/// (initialise, iterations, min cut) report one monotone fraction to the host.
/// </summary>
public readonly struct ProgressScope(IProgress<double>? target, double start, double length) : IProgress<double>
{
    public static ProgressScope For(IProgress<double>? target) => new(target, 0, 1);

    public void Report(double fraction) => target?.Report(start + length * Math.Clamp(fraction, 0, 1));

    public ProgressScope Slice(double from, double to) => new(target, start + length * from, length * (to - from));
}
