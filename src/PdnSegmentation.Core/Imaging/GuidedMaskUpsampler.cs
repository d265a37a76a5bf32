using OpenCvSharp;
using OpenCvSharp.XImgProc;

namespace PdnSegmentation.Imaging;

/// <summary>
/// Brings masks cut at a reduced size back to one photo's size with edges that follow the photo: bilinear enlargement,
/// He, Sun &amp; Tang's guided filter with the photo as guide, then ≥ ½ (as <see cref="PixelMaps.GuidedUpsample"/> on the
/// whole photo). Kept for a series of masks of the same photo (one per click): the photo is filtered in tiles, and a
/// tile is filtered only when the mask has an edge near it (elsewhere the filter of a constant is that constant) and,
/// after the first mask, only when the mask changed near it — a click that changes a small part costs a small part.
/// <para>
/// A tile is filtered on itself plus a margin of 2·radius + 1 (the filter's reach: box means of box means), so its
/// pixels are those of the whole-photo filter up to float rounding.
/// </para>
/// </summary>
public sealed class GuidedMaskUpsampler
{
    private readonly ColorImage _guide;
    private readonly int _coarseWidth, _coarseHeight, _radius, _margin, _tile, _tilesX, _tilesY;
    private readonly double _epsilon;
    private readonly int _maxDegreeOfParallelism;
    private readonly Mask _result;
    private byte[]? _previous; // the last coarse mask

    /// <param name="radius">The guided filter's radius in photo pixels (about twice the reduction factor).</param>
    /// <param name="epsilon">Its regulariser for colours in [0, 1].</param>
    public GuidedMaskUpsampler(ColorImage guide, int coarseWidth, int coarseHeight, int radius, double epsilon, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(guide);
        ImageGuard.Size(coarseWidth, coarseHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(radius, 1);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The regulariser must be positive.");
        _guide = guide;
        _coarseWidth = coarseWidth;
        _coarseHeight = coarseHeight;
        _radius = radius;
        _epsilon = epsilon;
        _margin = 2 * radius + 1;
        // Tiles of at least 8 radii keep the margins' share of the work under about half.
        _tile = Math.Max(64, 8 * radius);
        _tilesX = (guide.Width + _tile - 1) / _tile;
        _tilesY = (guide.Height + _tile - 1) / _tile;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _result = new Mask(guide.Width, guide.Height);
    }

    /// <summary>The mask (at the size given to the constructor) at the photo's size; a new mask the caller may change.</summary>
    public Mask Upsample(Mask coarse)
    {
        ArgumentNullException.ThrowIfNull(coarse);
        ImageGuard.SameSize("coarse mask", coarse.Width, coarse.Height, _coarseWidth, _coarseHeight);
        var bits = coarse.Bits.ToArray();
        var previous = _previous;
        var work = new List<(int Tx, int Ty, bool Filter)>();
        for (int ty = 0; ty < _tilesY; ty++)
            for (int tx = 0; tx < _tilesX; tx++)
            {
                var (cx0, cy0, cx1, cy1) = Footprint(tx, ty);
                bool changed = previous is null || AnyDifferent(previous, bits, cx0, cy0, cx1, cy1);
                if (changed) work.Add((tx, ty, !IsConstant(bits, cx0, cy0, cx1, cy1)));
            }
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism }, item =>
        {
            if (item.Filter) FilterTile(bits, item.Tx, item.Ty);
            else FillTile(item.Tx, item.Ty, bits[CoarseIndexOf(item.Tx * _tile, item.Ty * _tile)]);
        });
        _previous = bits;
        return _result.Clone();
    }

    private (int X, int Y, int Width, int Height) TileRect(int tx, int ty)
    {
        int x = tx * _tile, y = ty * _tile;
        return (x, y, Math.Min(_tile, _guide.Width - x), Math.Min(_tile, _guide.Height - y));
    }

    /// <summary>The coarse pixels a tile's filtered values depend on: its margin, widened by the bilinear footprint.</summary>
    private (int X0, int Y0, int X1, int Y1) Footprint(int tx, int ty)
    {
        var (x, y, w, h) = TileRect(tx, ty);
        double sx = (double)_coarseWidth / _guide.Width, sy = (double)_coarseHeight / _guide.Height;
        int X(int fx) => Math.Clamp((int)Math.Floor((fx + 0.5) * sx - 0.5), 0, _coarseWidth - 1);
        int Y(int fy) => Math.Clamp((int)Math.Floor((fy + 0.5) * sy - 0.5), 0, _coarseHeight - 1);
        return (X(x - _margin), Y(y - _margin), Math.Min(_coarseWidth - 1, X(x + w - 1 + _margin) + 1), Math.Min(_coarseHeight - 1, Y(y + h - 1 + _margin) + 1));
    }

    private int CoarseIndexOf(int fx, int fy)
    {
        int cx = Math.Clamp((int)((fx + 0.5) * _coarseWidth / _guide.Width), 0, _coarseWidth - 1);
        int cy = Math.Clamp((int)((fy + 0.5) * _coarseHeight / _guide.Height), 0, _coarseHeight - 1);
        return cy * _coarseWidth + cx;
    }

    private bool AnyDifferent(byte[] a, byte[] b, int x0, int y0, int x1, int y1)
    {
        for (int y = y0; y <= y1; y++)
            if (!a.AsSpan(y * _coarseWidth + x0, x1 - x0 + 1).SequenceEqual(b.AsSpan(y * _coarseWidth + x0, x1 - x0 + 1))) return true;
        return false;
    }

    private bool IsConstant(byte[] bits, int x0, int y0, int x1, int y1)
    {
        byte first = bits[y0 * _coarseWidth + x0];
        for (int y = y0; y <= y1; y++)
            if (bits.AsSpan(y * _coarseWidth + x0, x1 - x0 + 1).IndexOfAnyExcept(first) >= 0) return false;
        return true;
    }

    private void FillTile(int tx, int ty, byte value)
    {
        var (x, y, w, h) = TileRect(tx, ty);
        var bits = _result.Bits;
        for (int row = y; row < y + h; row++) bits.Slice(row * _result.Width + x, w).Fill(value);
    }

    private unsafe void FilterTile(byte[] coarse, int tx, int ty)
    {
        var (x, y, w, h) = TileRect(tx, ty);
        int rx = Math.Max(0, x - _margin), ry = Math.Max(0, y - _margin);
        int rw = Math.Min(_guide.Width, x + w + _margin) - rx, rh = Math.Min(_guide.Height, y + h + _margin) - ry;
        // Bilinear enlargement of the region, with OpenCV's INTER_LINEAR sample positions (as the whole-photo path).
        var enlarged = new float[rw * rh];
        double sx = (double)_coarseWidth / _guide.Width, sy = (double)_coarseHeight / _guide.Height;
        for (int j = 0; j < rh; j++)
        {
            double fy = Math.Max(0, (ry + j + 0.5) * sy - 0.5);
            int y0 = Math.Min((int)fy, _coarseHeight - 1), y1 = Math.Min(y0 + 1, _coarseHeight - 1);
            float wy = (float)(fy - y0);
            for (int i = 0; i < rw; i++)
            {
                double fx = Math.Max(0, (rx + i + 0.5) * sx - 0.5);
                int x0 = Math.Min((int)fx, _coarseWidth - 1), x1 = Math.Min(x0 + 1, _coarseWidth - 1);
                float wx = (float)(fx - x0);
                float top = coarse[y0 * _coarseWidth + x0] + wx * (coarse[y0 * _coarseWidth + x1] - coarse[y0 * _coarseWidth + x0]);
                float bottom = coarse[y1 * _coarseWidth + x0] + wx * (coarse[y1 * _coarseWidth + x1] - coarse[y1 * _coarseWidth + x0]);
                enlarged[j * rw + i] = top + wy * (bottom - top);
            }
        }
        var filtered = new float[rw * rh];
        fixed (byte* g = _guide.Data)
        fixed (float* src = enlarged, dst = filtered)
        {
            using var photo = Mat.FromPixelData(_guide.Height, _guide.Width, MatType.CV_8UC4, (IntPtr)g, _guide.Stride);
            using var region = new Mat(photo, new Rect(rx, ry, rw, rh));
            using var bgr = new Mat();
            Cv2.CvtColor(region, bgr, ColorConversionCodes.BGRA2BGR);
            using var input = Mat.FromPixelData(rh, rw, MatType.CV_32FC1, (IntPtr)src, rw * 4);
            using var output = Mat.FromPixelData(rh, rw, MatType.CV_32FC1, (IntPtr)dst, rw * 4);
            CvXImgProc.GuidedFilter(bgr, input, output, _radius, _epsilon * 255 * 255, -1);
        }
        var bits = _result.Bits;
        for (int row = y; row < y + h; row++)
        {
            int from = (row - ry) * rw + (x - rx);
            var target = bits.Slice(row * _result.Width + x, w);
            for (int i = 0; i < w; i++) target[i] = filtered[from + i] >= 0.5f ? (byte)1 : (byte)0;
        }
    }
}
