namespace PaintDotNet.Direct2D1;

public interface IGeometry : IObjectRef, IIsDisposed, IDisposable
{
}
