namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The fixed-point encoding secure summation works in: the ring Z_2^32 (unsigned 32-bit words,
/// whose overflow is the ring's reduction), a value x stored as round(clip(x) · 2^F) in two's
/// complement, with F = <see cref="FractionalBits"/> and clip(x) = x limited to
/// [−<see cref="ClipBound"/>, +<see cref="ClipBound"/>].
/// </summary>
/// <remarks>
/// <para>Precision: each encoded value is off by at most 2^−(F+1) (rounding), so a decoded sum of
/// N values is within N · 2^−(F+1) of the sum of the clipped values, and a mean within 2^−(F+1).
/// With the defaults (F = 16) that is 7.6e−6 per mean, finer than fp16's step near any logit
/// above 0.06 in magnitude.</para>
/// <para>No overflow: a sum of up to <see cref="MaxSummands"/> values decodes correctly because
/// MaxSummands · ClipBound · 2^F ≤ 2^31 − 1, which the constructor checks; the defaults (F = 16,
/// bound 64, 511 summands) meet it. Values beyond the bound are clipped, not refused, and
/// <see cref="Encode"/> counts them so the caller can say so.</para>
/// <para>Why 32 bits: the default upload is fp16 (2 bytes a value), so a 4-byte ring word is 2×
/// the plain upload, the target; Z_2^64 would be 4×.</para>
/// </remarks>
public sealed class FixedPointRing
{
    /// <summary>Bits of one ring element: 32.</summary>
    public const int RingBits = 32;

    /// <summary>Default fractional bits F: 16 (resolution 2^−16 ≈ 1.5e−5).</summary>
    public const int DefaultFractionalBits = 16;

    /// <summary>Default clip bound: 64, above any trained classifier's logits at the temperatures used.</summary>
    public const double DefaultClipBound = 64.0;

    /// <summary>Default most summands: 511 organizations (the most the defaults allow without overflow).</summary>
    public const int DefaultMaxSummands = 511;

    private readonly double _scale;

    /// <summary>Creates a ring encoding and checks that a sum of <paramref name="maxSummands"/> clipped values cannot overflow.</summary>
    /// <param name="fractionalBits">F in [0, 30]: values are stored in units of 2^−F.</param>
    /// <param name="clipBound">B &gt; 0, finite: inputs are clipped to [−B, B].</param>
    /// <param name="maxSummands">The most values (organizations) summed, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range, or maxSummands · B · 2^F exceeds 2^31 − 1.</exception>
    public FixedPointRing(int fractionalBits = DefaultFractionalBits, double clipBound = DefaultClipBound, int maxSummands = DefaultMaxSummands)
    {
        if (fractionalBits is < 0 or > 30) throw new ArgumentOutOfRangeException(nameof(fractionalBits), fractionalBits, "FixedPointRing.FractionalBits must lie in [0, 30].");
        if (!(clipBound > 0 && double.IsFinite(clipBound))) throw new ArgumentOutOfRangeException(nameof(clipBound), clipBound, "FixedPointRing.ClipBound must be positive and finite.");
        if (maxSummands < 1) throw new ArgumentOutOfRangeException(nameof(maxSummands), maxSummands, "FixedPointRing.MaxSummands must be at least 1.");
        _scale = Math.ScaleB(1.0, fractionalBits);
        var largestSum = maxSummands * Math.Round(clipBound * _scale);
        if (largestSum > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxSummands), maxSummands,
                $"FixedPointRing: {maxSummands} summands of magnitude up to {clipBound} at 2^-{fractionalBits} reach {largestSum:0} units, beyond the ring's 2^31 - 1; lower FixedPointRing.MaxSummands, FixedPointRing.ClipBound or FixedPointRing.FractionalBits.");
        FractionalBits = fractionalBits;
        ClipBound = clipBound;
        MaxSummands = maxSummands;
    }

    /// <summary>F: values are stored in units of 2^−F.</summary>
    public int FractionalBits { get; }

    /// <summary>B: inputs are clipped to [−B, B].</summary>
    public double ClipBound { get; }

    /// <summary>The most values a sum may hold without overflow.</summary>
    public int MaxSummands { get; }

    /// <summary>The largest error of one encoded value: 2^−(F+1).</summary>
    public double Resolution => 0.5 / _scale;

    /// <summary>Encodes <paramref name="values"/> into <paramref name="destination"/>, clipping to [−B, B].</summary>
    /// <returns>How many values were clipped (0 when all lay within the bound).</returns>
    /// <exception cref="ArgumentException">The spans differ in length, or a value is NaN.</exception>
    public int Encode(ReadOnlySpan<float> values, Span<uint> destination)
    {
        if (values.Length != destination.Length) throw new ArgumentException($"{values.Length} values but room for {destination.Length}.", nameof(destination));
        var clipped = 0;
        for (var i = 0; i < values.Length; i++)
        {
            double value = values[i];
            if (double.IsNaN(value)) throw new ArgumentException($"Value {i} is NaN; a NaN cannot be summed securely (or at all).", nameof(values));
            if (value > ClipBound) { value = ClipBound; clipped++; }
            else if (value < -ClipBound) { value = -ClipBound; clipped++; }
            destination[i] = unchecked((uint)(int)Math.Round(value * _scale, MidpointRounding.ToEven));
        }
        return clipped;
    }

    /// <summary>Decodes a sum of at most <see cref="MaxSummands"/> encoded values (two's complement, units of 2^−F).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void Decode(ReadOnlySpan<uint> sum, Span<double> destination)
    {
        if (sum.Length != destination.Length) throw new ArgumentException($"{sum.Length} ring elements but room for {destination.Length}.", nameof(destination));
        for (var i = 0; i < sum.Length; i++) destination[i] = unchecked((int)sum[i]) / _scale;
    }

    /// <summary>accumulator += addend in Z_2^32, element-wise.</summary>
    public static void Add(Span<uint> accumulator, ReadOnlySpan<uint> addend)
    {
        if (accumulator.Length != addend.Length) throw new ArgumentException($"Lengths {accumulator.Length} and {addend.Length} differ.", nameof(addend));
        for (var i = 0; i < accumulator.Length; i++) accumulator[i] = unchecked(accumulator[i] + addend[i]);
    }

    /// <summary>accumulator −= subtrahend in Z_2^32, element-wise.</summary>
    public static void Subtract(Span<uint> accumulator, ReadOnlySpan<uint> subtrahend)
    {
        if (accumulator.Length != subtrahend.Length) throw new ArgumentException($"Lengths {accumulator.Length} and {subtrahend.Length} differ.", nameof(subtrahend));
        for (var i = 0; i < accumulator.Length; i++) accumulator[i] = unchecked(accumulator[i] - subtrahend[i]);
    }
}
