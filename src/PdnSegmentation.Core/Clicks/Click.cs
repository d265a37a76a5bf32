namespace PdnSegmentation.Clicks;

/// <summary>A click on the photo: on the object (<see cref="Positive"/>) or on the background.</summary>
public readonly record struct Click(int X, int Y, bool Positive)
{
    public override string ToString() => $"({X},{Y}) {(Positive ? "object" : "background")}";
}
