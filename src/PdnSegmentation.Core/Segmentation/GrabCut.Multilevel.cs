using OpenCvSharp;
using PdnSegmentation.Imaging;
using PdnSegmentation.Progress;

namespace PdnSegmentation.Segmentation;

// Coarse-to-fine solving for large images: Lombaert, Sun, Grady, Xu, "A multilevel banded graph cuts method for
// fast image segmentation", ICCV 2005. The GrabCut iterations run on a downsampled proxy; at full resolution only
// a band around the proxy's boundary stays changeable, everything else is frozen on its side.
public sealed partial class GrabCut
{
    private int _bandRadius;

    private long ChangeablePixelCount()
    {
        long n = 0;
        foreach (byte label in _labels) if ((label & 2) != 0) n++;
        return n;
    }

    /// <summary>Runs the iterations on a proxy, then freezes every full-resolution pixel away from its boundary.</summary>
    private int SolveProxy(ProgressScope progress, CancellationToken cancellationToken)
    {
        int factor = (int)Math.Ceiling(Math.Sqrt((double)ChangeablePixelCount() / _options.MultilevelThreshold));
        factor = Math.Max(2, factor);
        int w = _image.Width, h = _image.Height;
        int pw = (w + factor - 1) / factor, ph = (h + factor - 1) / factor;
        var proxyImage = PixelMaps.Resize(_image, pw, ph); // area-averaged
        var proxyInput = ProxyInput(factor, pw, ph) with { Prior = _prior?.Downsample(factor, pw, ph) };

        // One proxy pixel stands for factor² pixels' data terms but only factor pixels' worth of boundary: scaling γ
        // by 1 / factor keeps the proxy's balance of data and smoothness that of the full-resolution energy.
        var proxyOptions = _options with { MultilevelThreshold = 0, Gamma = _options.Gamma / factor };
        var proxy = new GrabCut(proxyImage, proxyInput, proxyOptions, progress.Slice(0, 0.1), cancellationToken);
        var proxyResult = proxy.Iterate(progress.Slice(0.1, 0.9), cancellationToken);

        // Full-resolution labels from the proxy; hard labels stay as the user gave them.
        var proxyLabels = proxy._labels;
        for (int y = 0; y < h; y++)
        {
            int py = Math.Min(y / factor, ph - 1);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if ((_labels[i] & 2) == 0) continue;
                _labels[i] = (byte)(ProbablyBackground | (proxyLabels[py * pw + Math.Min(x / factor, pw - 1)] & 1));
            }
        }
        _objectModel = proxy._objectModel;
        _backgroundModel = proxy._backgroundModel;
        _bandRadius = 2 * factor + 1;
        FreezeAwayFromBoundary(extraSeeds: null);
        EvaluatePixels(buildGraph: false, cancellationToken);
        _graphFilled = false;
        progress.Report(1);
        return proxyResult.Iterations;
    }

    /// <summary>
    /// The user's input at proxy scale: a block is outside if all of it is, a hint if any of it is, and starts on the
    /// object side if most of its changeable pixels do.
    /// </summary>
    private GrabCutInput ProxyInput(int factor, int pw, int ph)
    {
        int w = _image.Width, h = _image.Height;
        var region = new Mask(pw, ph);
        var fg = new Mask(pw, ph);
        var bg = new Mask(pw, ph);
        var initial = new Mask(pw, ph);
        for (int py = 0; py < ph; py++)
            for (int px = 0; px < pw; px++)
            {
                int changeable = 0, foreground = 0, background = 0, startsAsObject = 0;
                for (int y = py * factor; y < Math.Min(h, (py + 1) * factor); y++)
                    for (int x = px * factor; x < Math.Min(w, (px + 1) * factor); x++)
                    {
                        byte label = _labels[y * w + x];
                        if ((label & 2) != 0) { changeable++; startsAsObject += label & 1; }
                        else if (label == Foreground) foreground++;
                        else background++;
                    }
                region[px, py] = changeable + foreground > 0;
                fg[px, py] = foreground > 0;
                // A block with user background hints but also changeable pixels stays changeable unless mostly hinted.
                bg[px, py] = foreground == 0 && changeable + foreground > 0 && background > changeable;
                initial[px, py] = 2 * startsAsObject >= changeable;
            }
        if (region.IsEmpty) region[0, 0] = true; // unreachable: the full-resolution input had changeable pixels
        return GrabCutInput.FromRegion(region).WithHints(fg, bg) with { InitialObject = initial };
    }

    /// <summary>
    /// Freezes every changeable pixel farther than the band radius from the current object boundary (and from
    /// <paramref name="extraSeeds"/>); unfreezes the rest.
    /// </summary>
    private void FreezeAwayFromBoundary(Mask? extraSeeds)
    {
        int w = _image.Width, h = _image.Height;
        var seeds = new byte[_labels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int side = _labels[y * w + x] & 1;
                bool boundary = (x + 1 < w && (_labels[y * w + x + 1] & 1) != side) || (y + 1 < h && (_labels[(y + 1) * w + x] & 1) != side);
                if (boundary)
                {
                    seeds[y * w + x] = 1;
                    if (x + 1 < w && (_labels[y * w + x + 1] & 1) != side) seeds[y * w + x + 1] = 1;
                    if (y + 1 < h && (_labels[(y + 1) * w + x] & 1) != side) seeds[(y + 1) * w + x] = 1;
                }
            }
        if (extraSeeds is not null)
        {
            var extra = extraSeeds.Bits;
            for (int i = 0; i < seeds.Length; i++) seeds[i] |= extra[i];
        }
        var band = Dilate(seeds, w, h, _bandRadius);
        for (int i = 0; i < _labels.Length; i++)
        {
            byte label = _labels[i];
            if ((label & 2) == 0) continue;
            _labels[i] = band[i] != 0 ? (byte)(label & ~Frozen) : (byte)(label | Frozen);
        }
    }

    /// <summary>After an edit in a multilevel session, the band follows the boundary and the edited pixels.</summary>
    private void RefreezeAfterEdit(Mask? definiteForeground, Mask? definiteBackground)
    {
        if (_bandRadius == 0) return;
        Mask? edited = definiteForeground?.Clone();
        if (definiteBackground is not null)
        {
            edited ??= new Mask(_image.Width, _image.Height);
            var bits = edited.Bits;
            var bgBits = definiteBackground.Bits;
            for (int i = 0; i < bits.Length; i++) bits[i] |= bgBits[i];
        }
        FreezeAwayFromBoundary(edited);
    }

    // OpenCV's dilation (van Herk/Gil–Werman for rectangles) on the engine's own buffers, wrapped without copying.
    private static unsafe byte[] Dilate(byte[] source, int w, int h, int radius)
    {
        var result = new byte[source.Length];
        fixed (byte* src = source, dst = result)
        {
            using var from = Mat.FromPixelData(h, w, MatType.CV_8UC1, (IntPtr)src, w);
            using var to = Mat.FromPixelData(h, w, MatType.CV_8UC1, (IntPtr)dst, w);
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * radius + 1, 2 * radius + 1));
            Cv2.Dilate(from, to, kernel);
        }
        return result;
    }
}
