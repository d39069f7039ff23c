namespace FedDistill.Distillation.Privacy;

/// <summary>
/// Logarithms of Gaussian tail probabilities, accurate far into the tail where the probabilities
/// themselves underflow (a vote margin of 300 under noise σ = 5 has a tail of about e^−900).
/// .NET has no erfc, so it is computed here: a power series for small arguments and Lentz's
/// continued fraction for the rest, which yields log erfc directly.
/// </summary>
public static class GaussianTail
{
    private const double SeriesLimit = 0.5;

    /// <summary>log erfc(<paramref name="x"/>), for any finite x.</summary>
    public static double LogErfc(double x)
    {
        if (double.IsNaN(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "The argument must not be NaN.");
        if (x < SeriesLimit) return Math.Log(1.0 - Erf(x));
        return -x * x - 0.5 * Math.Log(Math.PI) - Math.Log(ContinuedFraction(x));
    }

    /// <summary>log P[Z ≥ <paramref name="z"/>] for a standard normal Z (scipy's <c>norm.logsf</c>).</summary>
    public static double LogSurvival(double z) => LogErfc(z / Math.Sqrt(2.0)) - Math.Log(2.0);

    /// <summary>log(1 − e^x) for x ≤ 0, stable near both ends; −∞ at 0.</summary>
    public static double Log1MinusExp(double x)
    {
        if (!(x <= 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "The argument must be non-positive.");
        if (x == 0) return double.NegativeInfinity;
        // For x < −1, 1 − e^x is near 1 and log1p-like care is not needed; near 0, e^x − 1 is taken by its series.
        return x < -1 ? Math.Log(1.0 - Math.Exp(x)) : Math.Log(-ExpMinusOne(x));
    }

    /// <summary>log(e^a + e^b) without overflow.</summary>
    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    // e^x − 1 without cancellation for small |x|.
    private static double ExpMinusOne(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1.0;

    // erf by its Maclaurin series: for |x| < 0.5 the terms shrink fast and barely cancel.
    private static double Erf(double x)
    {
        if (x <= -SeriesLimit) return -1.0 + Math.Exp(LogErfc(-x));
        var sum = 0.0;
        var term = x;
        for (var n = 0; n < 60; n++)
        {
            var contribution = term / (2 * n + 1);
            sum += contribution;
            if (Math.Abs(contribution) < 1e-17 * Math.Abs(sum)) break;
            term *= -x * x / (n + 1);
        }

        return 2.0 / Math.Sqrt(Math.PI) * sum;
    }

    // erfc(x) = e^{−x²} / (√π · f) with f = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), by the modified Lentz method.
    private static double ContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < 100_000; n++)
        {
            var a = n / 2.0;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) return f;
        }

        return f;
    }
}
