using System.Runtime.Intrinsics;
using PdnSegmentation.Numerics;

namespace PdnSegmentation.Tests.Numerics;

public class VectorExpLogTests
{
    [Fact]
    public void ExpIsWithinTwoUlpsOfMathFOverTheRangeTheKernelsUse()
    {
        // The mixture costs take exp of −87..0, the prior's softplus of −|l|; a million points over −87..88.
        double worst = 0;
        for (int i = 0; i < 1 << 20; i += 8)
        {
            var x = Vector256.Create(i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7);
            var values = Vector256.ConvertToSingle(x) * Vector256.Create(175f / (1 << 20)) - Vector256.Create(87f);
            var exp = VectorExpLog.Exp(values);
            for (int j = 0; j < 8; j++) worst = Math.Max(worst, Ulps(exp[j], MathF.Exp(values[j])));
        }
        Assert.True(worst <= 2, $"{worst} ulps");
        // Below the clamp it stays a tiny normal number: a sum of them never turns into a denormal or 0.
        Assert.Equal(MathF.Exp(-87.33654f), VectorExpLog.Exp(Vector256.Create(-200f))[0], 1e-42f);
    }

    [Fact]
    public void LogIsWithinTwoUlpsOfMathFFromTheSmallestNormalFloatUp()
    {
        double worst = 0;
        var random = new Random(5);
        var values = new float[1 << 17];
        for (int i = 0; i < values.Length; i++)
            values[i] = i % 2 == 0 ? 1 + 1e-7f * i : MathF.Exp((float)(random.NextDouble() * 175 - 87)); // near 1, and across the range
        for (int i = 0; i < values.Length; i += 8)
        {
            var x = Vector256.Create<float>(values.AsSpan(i, 8));
            var log = VectorExpLog.Log(x);
            for (int j = 0; j < 8; j++) worst = Math.Max(worst, Math.Abs(log[j] - MathF.Log(x[j])) <= 1e-7f ? 0 : Ulps(log[j], MathF.Log(x[j])));
        }
        Assert.True(worst <= 2, $"{worst} ulps");
        // 0 is far below every clamp the kernels apply (log-odds ±15): a large negative number, not NaN.
        Assert.True(VectorExpLog.Log(Vector256<float>.Zero)[0] < -87f);
    }

    private static double Ulps(float actual, float expected) =>
        Math.Abs((double)actual - expected) / (MathF.BitIncrement(Math.Abs(expected)) - Math.Abs(expected));
}
