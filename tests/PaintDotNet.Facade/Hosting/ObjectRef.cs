namespace PaintDotNet.Hosting;

/// <summary>Paint.NET's objects are reference-tracked; the facade's are plain objects that remember being disposed.</summary>
internal abstract class ObjectRef : IObjectRef
{
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        IsDisposed = true;
        GC.SuppressFinalize(this);
    }

    public bool? TryCreateRef(Type interfaceType, out IObjectRef? newObjectRef)
    {
        newObjectRef = interfaceType.IsInstanceOfType(this) ? this : null;
        return newObjectRef is not null;
    }
}
