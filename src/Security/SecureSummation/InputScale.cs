namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The round's public input scale, agreed without a coordinator: each organization states in its
/// signed <see cref="KeyAdvertisement"/> the smallest power of two its own input must be divided by
/// to fit (<see cref="Exponent(double, double)"/>), and every party, the aggregator included, takes
/// the largest of the advertised exponents (<see cref="Exponent(IEnumerable{KeyAdvertisement})"/>).
/// The advertisements are the ones every party verified and the protocol's participants are exactly
/// those that advertised, so every party derives the same scale, and one the aggregator cannot alter.
/// </summary>
public static class InputScale
{
    /// <summary>The smallest exponent an advertisement may carry; an organization with nothing to sum states it.</summary>
    public const int MinExponent = -64;

    /// <summary>The largest exponent an advertisement may carry; a larger need is stated as this one (and the organization's input then does not fit).</summary>
    public const int MaxExponent = 64;

    /// <summary>
    /// The smallest e in [<see cref="MinExponent"/>, <see cref="MaxExponent"/>] with
    /// <paramref name="largest"/> / 2^e ≤ <paramref name="target"/>: so divided, the largest value
    /// lies in (target / 2, target], filling the range to within a factor 2.
    /// </summary>
    /// <param name="largest">The largest magnitude the organization's input reaches unscaled; 0 (nothing to sum) needs <see cref="MinExponent"/>.</param>
    /// <param name="target">What it must not exceed once divided, &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="largest"/> is negative or not finite, or <paramref name="target"/> is not positive and finite.</exception>
    public static int Exponent(double largest, double target)
    {
        if (!double.IsFinite(largest) || largest < 0) throw new ArgumentOutOfRangeException(nameof(largest), largest, "The largest value to scale must be finite and not negative.");
        if (!double.IsFinite(target) || target <= 0) throw new ArgumentOutOfRangeException(nameof(target), target, "The target must be positive and finite.");
        if (largest == 0) return MinExponent;
        var exponent = (int)Math.Clamp(Math.Ceiling(Math.Log2(largest / target)), MinExponent, MaxExponent);
        // Log2 rounds, so next to a power of two the ceiling can be one off either way; ScaleB is exact.
        if (exponent < MaxExponent && Math.ScaleB(target, exponent) < largest) return exponent + 1;
        if (exponent > MinExponent && Math.ScaleB(target, exponent - 1) >= largest) return exponent - 1;
        return exponent;
    }

    /// <summary>The round's exponent: the largest that <paramref name="advertisements"/> state; 0 for none.</summary>
    /// <param name="advertisements">The verified advertisements of the round's participants.</param>
    public static int Exponent(IEnumerable<KeyAdvertisement> advertisements)
    {
        ArgumentNullException.ThrowIfNull(advertisements);
        return advertisements.Select(advertisement => advertisement.ScaleExponent).DefaultIfEmpty(0).Max();
    }

    /// <summary>2^<paramref name="exponent"/>: what every party divides its input by (exact in binary floating point).</summary>
    public static double Of(int exponent) => Math.ScaleB(1.0, exponent);

    /// <summary>Whether an advertised exponent is one <see cref="Exponent(double, double)"/> can produce.</summary>
    public static bool IsValid(int exponent) => exponent is >= MinExponent and <= MaxExponent;
}
