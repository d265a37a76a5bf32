namespace PdnSegmentation.Mixtures;

/// <summary>
/// The largest eigenvalue of a symmetric 3×3 matrix and its unit eigenvector, in closed form (Smith's
/// trigonometric solution of the characteristic cubic). Hand-written because Bayesian matting clusters the samples
/// of every unknown pixel: MathNet's general EVD allocates two matrices per call and took ~1.5 µs where this takes
/// ~40 ns; the tests check both agree.
/// </summary>
public static class PrincipalAxis
{
    public static (double Lambda, double X, double Y, double Z) Of(in Covariance3 a)
    {
        double p1 = a.C01 * a.C01 + a.C02 * a.C02 + a.C12 * a.C12;
        double q = (a.C00 + a.C11 + a.C22) / 3;
        double lambda;
        if (p1 <= 1e-30 * (1 + q * q))
        {
            // Diagonal: the largest diagonal entry and its axis.
            if (a.C00 >= a.C11 && a.C00 >= a.C22) return (a.C00, 1, 0, 0);
            return a.C11 >= a.C22 ? (a.C11, 0, 1, 0) : (a.C22, 0, 0, 1);
        }
        double d0 = a.C00 - q, d1 = a.C11 - q, d2 = a.C22 - q;
        double p = Math.Sqrt((d0 * d0 + d1 * d1 + d2 * d2 + 2 * p1) / 6);
        double inv = 1 / p;
        // det((A − qI) / p) / 2, clamped against round-off before acos.
        var b = new Covariance3(d0 * inv, a.C01 * inv, a.C02 * inv, d1 * inv, a.C12 * inv, d2 * inv);
        double r = Math.Clamp(b.Determinant() / 2, -1, 1);
        lambda = q + 2 * p * Math.Cos(Math.Acos(r) / 3);

        // The eigenvector is orthogonal to every row of A − λI: the longest cross product of two rows.
        double r00 = a.C00 - lambda, r11 = a.C11 - lambda, r22 = a.C22 - lambda;
        Cross(r00, a.C01, a.C02, a.C01, r11, a.C12, out double x0, out double y0, out double z0);
        Cross(r00, a.C01, a.C02, a.C02, a.C12, r22, out double x1, out double y1, out double z1);
        Cross(a.C01, r11, a.C12, a.C02, a.C12, r22, out double x2, out double y2, out double z2);
        double n0 = x0 * x0 + y0 * y0 + z0 * z0, n1 = x1 * x1 + y1 * y1 + z1 * z1, n2 = x2 * x2 + y2 * y2 + z2 * z2;
        double x = x0, y = y0, z = z0, n = n0;
        if (n1 > n) { x = x1; y = y1; z = z1; n = n1; }
        if (n2 > n) { x = x2; y = y2; z = z2; n = n2; }
        if (n <= 1e-30 * (1 + lambda * lambda) * (1 + lambda * lambda))
        {
            // λ is a double eigenvalue: A − λI has rank one, so any vector orthogonal to its largest row will do.
            double ax = r00, ay = a.C01, az = a.C02;
            if (a.C01 * a.C01 + r11 * r11 + a.C12 * a.C12 > ax * ax + ay * ay + az * az) { ax = a.C01; ay = r11; az = a.C12; }
            if (a.C02 * a.C02 + a.C12 * a.C12 + r22 * r22 > ax * ax + ay * ay + az * az) { ax = a.C02; ay = a.C12; az = r22; }
            if (Math.Abs(ax) < Math.Abs(ay) || Math.Abs(ax) < Math.Abs(az)) Cross(ax, ay, az, 1, 0, 0, out x, out y, out z);
            else Cross(ax, ay, az, 0, 1, 0, out x, out y, out z);
            n = x * x + y * y + z * z;
            if (n == 0) return (lambda, 1, 0, 0);
        }
        double s = 1 / Math.Sqrt(n);
        return (lambda, x * s, y * s, z * s);
    }

    private static void Cross(double ax, double ay, double az, double bx, double by, double bz, out double x, out double y, out double z)
    {
        x = ay * bz - az * by;
        y = az * bx - ax * bz;
        z = ax * by - ay * bx;
    }
}
