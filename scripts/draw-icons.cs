#:project ../src/PdnSegmentation.Core/PdnSegmentation.Core.csproj
#:package OpenCvSharp4.official.runtime.linux-x64
// Draws the effects' menu icons (16 and 32 px PNGs with transparency) into icons/. Run once after changing a design:
//   dotnet run scripts/draw-icons.cs
using OpenCvSharp;

string root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath("scripts/draw-icons.cs"))!, "..", "icons");
Directory.CreateDirectory(root);
var designs = new (string Name, Action<Mat, double> Draw)[]
{
    // Smart Cut: scissors-like cut through a rectangle selection (dashed frame, object blob, cut line).
    ("SmartCut", (m, s) =>
    {
        Cv2.Rectangle(m, new Rect((int)(2 * s), (int)(2 * s), (int)(12 * s), (int)(12 * s)), new Scalar(90, 90, 90, 255), Math.Max(1, (int)s), LineTypes.AntiAlias);
        Cv2.Ellipse(m, new Point((int)(8 * s), (int)(8.5 * s)), new Size((int)(4 * s), (int)(4.5 * s)), 0, 0, 360, new Scalar(40, 140, 230, 255), -1, LineTypes.AntiAlias);
        Cv2.Line(m, new Point((int)(1 * s), (int)(15 * s)), new Point((int)(15 * s), (int)(1 * s)), new Scalar(30, 30, 200, 255), Math.Max(1, (int)(1.5 * s)), LineTypes.AntiAlias);
    }),
    // Refine Matte: a soft-edged disc over a checkerboard (transparency) with hair strands.
    ("RefineMatte", (m, s) =>
    {
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++)
            if ((x + y) % 2 == 0) Cv2.Rectangle(m, new Rect((int)(x * 4 * s), (int)(y * 4 * s), (int)(4 * s), (int)(4 * s)), new Scalar(200, 200, 200, 255), -1);
        Cv2.Circle(m, new Point((int)(8 * s), (int)(9 * s)), (int)(5 * s), new Scalar(60, 120, 200, 255), -1, LineTypes.AntiAlias);
        for (int k = 0; k < 4; k++)
            Cv2.Line(m, new Point((int)((5 + 2 * k) * s), (int)(5 * s)), new Point((int)((4 + 2.5 * k) * s), (int)(1 * s)), new Scalar(40, 90, 170, 255), 1, LineTypes.AntiAlias);
    }),
    // Lazy Snap: two brush strokes, yellow on the object, red on the background.
    ("LazySnap", (m, s) =>
    {
        Cv2.Ellipse(m, new Point((int)(9 * s), (int)(9 * s)), new Size((int)(5 * s), (int)(5 * s)), 0, 0, 360, new Scalar(160, 120, 60, 255), -1, LineTypes.AntiAlias);
        Cv2.Line(m, new Point((int)(6 * s), (int)(10 * s)), new Point((int)(12 * s), (int)(8 * s)), new Scalar(207, 255, 255, 255), Math.Max(1, (int)(2 * s)), LineTypes.AntiAlias);
        Cv2.Line(m, new Point((int)(1 * s), (int)(2 * s)), new Point((int)(6 * s), (int)(1 * s)), new Scalar(0, 0, 219, 255), Math.Max(1, (int)(2 * s)), LineTypes.AntiAlias);
    }),
    // Segment Anything: a target dot on an object outline.
    ("SegmentAnything", (m, s) =>
    {
        Cv2.Ellipse(m, new Point((int)(8 * s), (int)(8 * s)), new Size((int)(6 * s), (int)(5 * s)), 20, 0, 360, new Scalar(80, 170, 60, 255), Math.Max(1, (int)s), LineTypes.AntiAlias);
        Cv2.Circle(m, new Point((int)(8 * s), (int)(8 * s)), (int)(2 * s), new Scalar(20, 200, 20, 255), -1, LineTypes.AntiAlias);
    }),
    // Select Subject: a person silhouette.
    ("SelectSubject", (m, s) =>
    {
        Cv2.Circle(m, new Point((int)(8 * s), (int)(5 * s)), (int)(3 * s), new Scalar(150, 80, 40, 255), -1, LineTypes.AntiAlias);
        Cv2.Ellipse(m, new Point((int)(8 * s), (int)(15 * s)), new Size((int)(6 * s), (int)(6 * s)), 0, 180, 360, new Scalar(150, 80, 40, 255), -1, LineTypes.AntiAlias);
    }),
    // Snap to Edges: a rough dashed lasso and the solid outline it snapped onto (a magnet's red tip at one vertex).
    ("SnapToEdges", (m, s) =>
    {
        Cv2.Ellipse(m, new Point((int)(8 * s), (int)(8 * s)), new Size((int)(5 * s), (int)(4 * s)), 0, 0, 360, new Scalar(60, 130, 200, 255), -1, LineTypes.AntiAlias);
        Cv2.Ellipse(m, new Point((int)(8 * s), (int)(8 * s)), new Size((int)(5 * s), (int)(4 * s)), 0, 0, 360, new Scalar(30, 30, 30, 255), Math.Max(1, (int)s), LineTypes.AntiAlias);
        for (int k = 0; k < 8; k++)
            Cv2.Ellipse(m, new Point((int)(8 * s), (int)(8 * s)), new Size((int)(7 * s), (int)(6.5 * s)), 0, k * 45, k * 45 + 25, new Scalar(120, 120, 120, 255), Math.Max(1, (int)(s / 2)), LineTypes.AntiAlias);
        Cv2.Circle(m, new Point((int)(13 * s), (int)(8 * s)), (int)Math.Max(1, 1.5 * s), new Scalar(30, 30, 220, 255), -1, LineTypes.AntiAlias);
    }),
};
foreach (var (name, draw) in designs)
    foreach (int size in new[] { 16, 32 })
    {
        using var icon = new Mat(size, size, MatType.CV_8UC4, Scalar.All(0));
        draw(icon, size / 16.0);
        Cv2.ImWrite(Path.Combine(root, $"{name}-{size}.png"), icon);
    }
Console.WriteLine($"wrote {designs.Length * 2} icons to {Path.GetFullPath(root)}");
