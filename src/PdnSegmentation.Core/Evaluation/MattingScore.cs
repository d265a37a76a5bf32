using OpenCvSharp;
using PdnSegmentation.Imaging;

namespace PdnSegmentation.Evaluation;

/// <summary>
/// The alphamatting.com measures (Rhemann et al., CVPR 2009) over a trimap's unknown pixels, alphas in [0, 1]:
/// SAD = Σ|α − α*| / 1000, MSE = mean (α − α*)², gradient error = Σ(‖∇α‖ − ‖∇α*‖)² / 1000 with Gaussian-derivative
/// gradients (σ = 1.4), connectivity error = Σ|φ(α) − φ(α*)| / 1000 (threshold step 0.1, φ cut at 0.15).
/// </summary>
public readonly record struct MattingScore(double Sad, double Mse, double Gradient, double Connectivity, long Pixels)
{
    public static MattingScore Compute(ReadOnlySpan<float> alpha, ReadOnlySpan<float> truth, Trimap trimap)
    {
        int w = trimap.Width, h = trimap.Height, n = w * h;
        if (alpha.Length != n || truth.Length != n)
            throw new ImageSizeMismatchException($"Alpha, ground truth and trimap must all be {w}×{h}.");
        var labels = trimap.Labels;
        double sad = 0, sse = 0;
        long count = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != (byte)TrimapLabel.Unknown) continue;
            double d = alpha[i] - truth[i];
            sad += Math.Abs(d);
            sse += d * d;
            count++;
        }
        var a = alpha.ToArray();
        var t = truth.ToArray();
        var gradA = GradientMagnitude(a, w, h);
        var gradT = GradientMagnitude(t, w, h);
        var phiA = ConnectivityPhi(a, t, w, h, out var phiT);
        double gradient = 0, connectivity = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != (byte)TrimapLabel.Unknown) continue;
            double g = gradA[i] - gradT[i];
            gradient += g * g;
            connectivity += Math.Abs(phiA[i] - phiT[i]);
        }
        return new MattingScore(sad / 1000, count == 0 ? 0 : sse / count, gradient / 1000, connectivity / 1000, count);
    }

    /// <summary>‖∇f‖ with first-derivative-of-Gaussian filters (σ = 1.4), separable, borders replicated.</summary>
    private static float[] GradientMagnitude(float[] f, int w, int h)
    {
        const double sigma = 1.4;
        int radius = (int)Math.Ceiling(3 * sigma);
        var gauss = new float[2 * radius + 1];
        var derivative = new float[2 * radius + 1];
        double gaussSum = 0, derivativeNorm = 0;
        for (int k = -radius; k <= radius; k++)
        {
            double g = Math.Exp(-k * k / (2 * sigma * sigma));
            gauss[k + radius] = (float)g;
            derivative[k + radius] = (float)(k * g);
            gaussSum += g;
            derivativeNorm += k * k * g; // Σ k·d(k): scaled so that a unit ramp has derivative 1
        }
        for (int k = 0; k < gauss.Length; k++) { gauss[k] /= (float)gaussSum; derivative[k] /= (float)derivativeNorm; }
        var gx = Separable(f, w, h, derivative, gauss);
        var gy = Separable(f, w, h, gauss, derivative);
        for (int i = 0; i < gx.Length; i++) gx[i] = MathF.Sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
        return gx;
    }

    private static float[] Separable(float[] f, int w, int h, float[] alongX, float[] alongY)
    {
        int r = alongX.Length / 2;
        var tmp = new float[w * h];
        var result = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = -r; k <= r; k++) s += alongX[k + r] * f[y * w + Math.Clamp(x + k, 0, w - 1)];
                tmp[y * w + x] = s;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = -r; k <= r; k++) s += alongY[k + r] * tmp[Math.Clamp(y + k, 0, h - 1) * w + x];
                result[y * w + x] = s;
            }
        return result;
    }

    /// <summary>φ of the connectivity error for the prediction (returned) and the truth (out).</summary>
    private static unsafe float[] ConnectivityPhi(float[] alpha, float[] truth, int w, int h, out float[] truthPhi)
    {
        const float step = 0.1f;
        var level = new float[w * h];
        Array.Fill(level, -1f);
        var both = new byte[w * h];
        var components = new int[w * h];
        for (int s = 1; s <= 10; s++)
        {
            float threshold = s * step;
            for (int i = 0; i < both.Length; i++) both[i] = alpha[i] >= threshold && truth[i] >= threshold ? (byte)1 : (byte)0;
            int largest = -1;
            fixed (byte* src = both)
            fixed (int* dst = components)
            {
                using var input = Mat.FromPixelData(h, w, MatType.CV_8UC1, (IntPtr)src, w);
                using var output = Mat.FromPixelData(h, w, MatType.CV_32SC1, (IntPtr)dst, w * 4);
                using var stats = new Mat();
                using var centroids = new Mat();
                int count = Cv2.ConnectedComponentsWithStats(input, output, stats, centroids, PixelConnectivity.Connectivity4);
                int bestArea = 0;
                for (int c = 1; c < count; c++)
                {
                    int area = stats.At<int>(c, (int)ConnectedComponentsTypes.Area);
                    if (area > bestArea) { bestArea = area; largest = c; }
                }
            }
            for (int i = 0; i < level.Length; i++)
                if (level[i] < 0 && components[i] != largest) level[i] = threshold - step;
        }
        for (int i = 0; i < level.Length; i++) if (level[i] < 0) level[i] = 1;
        truthPhi = Phi(truth, level);
        return Phi(alpha, level);
    }

    private static float[] Phi(float[] values, float[] level)
    {
        var phi = new float[values.Length];
        for (int i = 0; i < phi.Length; i++)
        {
            float d = values[i] - level[i];
            phi[i] = 1 - (d >= 0.15f ? d : 0);
        }
        return phi;
    }
}
