namespace PdnSegmentation.Scissors;

/// <summary>
/// Parameters of <see cref="EdgeSnapping"/>. The link cost is Mortensen &amp; Barrett's (1995) — Laplacian zero
/// crossing, gradient magnitude, gradient direction — plus a side term that prefers links with object colours on the
/// object side and background colours on the other: it is what keeps the path on the object's outer boundary rather
/// than on a strong edge inside the object or in the background.
/// </summary>
public sealed record EdgeSnapOptions
{
    /// <summary>R: the snapped outline stays within this many pixels of the user's outline.</summary>
    public int Corridor { get; init; } = 8;

    /// <summary>N: the largest arc length, in pixels, one shortest-path search covers (the user's vertices are section points too).</summary>
    public int AnchorSpacing { get; init; } = 40;

    public double ZeroCrossingWeight { get; init; } = 0.3;
    public double GradientMagnitudeWeight { get; init; } = 0.3;
    public double GradientDirectionWeight { get; init; } = 0.1;

    /// <summary>Weight of the side term (0 turns it off: plain intelligent scissors).</summary>
    public double SideWeight { get; init; } = 0.3;

    /// <summary>Gradients below this (in grey levels per pixel) have no zero crossing: the Laplacian's sign changes in flat, noisy areas mean nothing.</summary>
    public double MinimumEdgeGradient { get; init; } = 4;

    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    public void Validate()
    {
        if (Corridor is < 1 or > 200) throw new SegmentationInputException($"The corridor must be 1..200 pixels (got {Corridor}).");
        if (AnchorSpacing is < 4 or > 1000) throw new SegmentationInputException($"The anchor spacing must be 4..1000 pixels (got {AnchorSpacing}).");
        foreach (double w in new[] { ZeroCrossingWeight, GradientMagnitudeWeight, GradientDirectionWeight, SideWeight })
            if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentOutOfRangeException(nameof(EdgeSnapOptions), w, "Cost weights must be finite and non-negative.");
        if (ZeroCrossingWeight + GradientMagnitudeWeight + GradientDirectionWeight + SideWeight <= 0)
            throw new ArgumentOutOfRangeException(nameof(EdgeSnapOptions), "At least one cost weight must be positive.");
    }
}
