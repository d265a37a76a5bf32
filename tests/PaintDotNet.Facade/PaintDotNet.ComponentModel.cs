namespace PaintDotNet.ComponentModel;

public interface IObjectRef : IIsDisposed, IDisposable
{
    bool? TryCreateRef(Type interfaceType, out IObjectRef? newObjectRef);
}

public class RefTrackedObject : IObjectRef, IIsDisposed, IDisposable, ISerializable
{
    public RefTrackedObject() { }
    // public bool IsDisposed { get; }
    public bool IsDisposed { get; private set; }
    public void Dispose()
    {
        if (IsDisposed) return;
        Dispose(true);
        IsDisposed = true;
        GC.SuppressFinalize(this);
    }
    protected virtual void Dispose(bool disposing) { }
    // protected ~RefTrackedObject()   (C# cannot give a finalizer an access modifier; the runtime's is protected)
    ~RefTrackedObject() => Dispose(false);
    public bool? TryCreateRef(Type interfaceType, out IObjectRef? newObjectRef)
    {
        newObjectRef = interfaceType.IsInstanceOfType(this) ? this : null;
        return newObjectRef is not null;
    }
    void ISerializable.GetObjectData(SerializationInfo info, StreamingContext context) =>
        throw new NotSupportedException("Paint.NET objects are not serialisable.");
}
