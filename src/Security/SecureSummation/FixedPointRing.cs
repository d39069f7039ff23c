using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The fixed-point encoding secure summation works in: the ring Z_2^k with k =
/// <see cref="RingBits"/> (32 or 24), a value x stored as round(clip(x) · 2^F) in two's complement,
/// with F = <see cref="FractionalBits"/> and clip(x) = x limited to [−<see cref="ClipBound"/>,
/// +<see cref="ClipBound"/>]. Arithmetic runs on 32-bit words (their overflow is reduction mod
/// 2^32, and reducing that mod 2^k is a ring homomorphism), and only the low k bits of each
/// masked word travel (<see cref="Pack"/>).
/// </summary>
/// <remarks>
/// <para>Precision: each encoded value is off by at most 2^−(F+1) (rounding), so a decoded sum of
/// N values is within N · 2^−(F+1) of the sum of the clipped values, and a mean within 2^−(F+1).</para>
/// <para>No overflow: a sum of up to <see cref="MaxSummands"/> values decodes correctly because
/// MaxSummands · ClipBound · 2^F ≤ 2^(k−1) − 1, which the constructor checks. Values beyond the
/// bound are clipped, not refused, and <see cref="Encode"/> counts them so the caller can say so.</para>
/// <para>Two presets: <see cref="Standard"/> (k = 32, F = 16, bound 64, 511 summands; 4 bytes a
/// value, 2× the fp16 upload, precision 7.6e−6) and <see cref="Compact"/> (k = 24, F = 12, bound
/// 32, 63 summands; 3 bytes a value, 1.5× fp16, precision 1.2e−4, still finer than fp16's step
/// for any value above 0.25 in magnitude).</para>
/// </remarks>
public sealed class FixedPointRing
{
    private readonly double _scale;
    private readonly uint _mask;

    /// <summary>Creates a ring encoding and checks that a sum of <paramref name="maxSummands"/> clipped values cannot overflow.</summary>
    /// <param name="fractionalBits">F in [0, k − 2]: values are stored in units of 2^−F.</param>
    /// <param name="clipBound">B &gt; 0, finite: inputs are clipped to [−B, B].</param>
    /// <param name="maxSummands">The most values (organizations) summed, at least 1.</param>
    /// <param name="ringBits">k: 32 or 24.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range, or maxSummands · B · 2^F exceeds 2^(k−1) − 1.</exception>
    public FixedPointRing(int fractionalBits = 16, double clipBound = 64.0, int maxSummands = 511, int ringBits = 32)
    {
        if (ringBits is not (24 or 32)) throw new ArgumentOutOfRangeException(nameof(ringBits), ringBits, "FixedPointRing.RingBits must be 24 or 32.");
        if (fractionalBits < 0 || fractionalBits > ringBits - 2) throw new ArgumentOutOfRangeException(nameof(fractionalBits), fractionalBits, $"FixedPointRing.FractionalBits must lie in [0, {ringBits - 2}].");
        if (!(clipBound > 0 && double.IsFinite(clipBound))) throw new ArgumentOutOfRangeException(nameof(clipBound), clipBound, "FixedPointRing.ClipBound must be positive and finite.");
        if (maxSummands < 1) throw new ArgumentOutOfRangeException(nameof(maxSummands), maxSummands, "FixedPointRing.MaxSummands must be at least 1.");
        _scale = Math.ScaleB(1.0, fractionalBits);
        var largestSum = maxSummands * Math.Round(clipBound * _scale);
        var largestValue = Math.ScaleB(1.0, ringBits - 1) - 1;
        if (largestSum > largestValue)
            throw new ArgumentOutOfRangeException(nameof(maxSummands), maxSummands,
                $"FixedPointRing: {maxSummands} summands of magnitude up to {clipBound} at 2^-{fractionalBits} reach {largestSum:0} units, beyond the {ringBits}-bit ring's 2^{ringBits - 1} - 1; lower FixedPointRing.MaxSummands, FixedPointRing.ClipBound or FixedPointRing.FractionalBits.");
        FractionalBits = fractionalBits;
        ClipBound = clipBound;
        MaxSummands = maxSummands;
        RingBits = ringBits;
        _mask = ringBits == 32 ? uint.MaxValue : (1u << ringBits) - 1;
    }

    /// <summary>Z_2^32, F = 16, bound 64, up to 511 summands: 4 bytes a value, precision 2^−17 ≈ 7.6e−6.</summary>
    public static FixedPointRing Standard { get; } = new();

    /// <summary>Z_2^24, F = 12, bound 32, up to 63 summands: 3 bytes a value, precision 2^−13 ≈ 1.2e−4.</summary>
    public static FixedPointRing Compact { get; } = new(fractionalBits: 12, clipBound: 32, maxSummands: 63, ringBits: 24);

    /// <summary>k: the ring is Z_2^k, and a packed element takes k / 8 bytes.</summary>
    public int RingBits { get; }

    /// <summary>F: values are stored in units of 2^−F.</summary>
    public int FractionalBits { get; }

    /// <summary>B: inputs are clipped to [−B, B].</summary>
    public double ClipBound { get; }

    /// <summary>The most values a sum may hold without overflow.</summary>
    public int MaxSummands { get; }

    /// <summary>The largest error of one encoded value: 2^−(F+1).</summary>
    public double Resolution => 0.5 / _scale;

    /// <summary>Bytes of one packed ring element: k / 8.</summary>
    public int ElementBytes => RingBits / 8;

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
            destination[i] = unchecked((uint)(int)Math.Round(value * _scale, MidpointRounding.ToEven)) & _mask;
        }
        return clipped;
    }

    /// <summary>Reduces every word mod 2^k, in place: what a masked vector is before it is sent.</summary>
    public void Reduce(Span<uint> words)
    {
        if (RingBits == 32) return;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<uint, Vector<uint>>(words);
            var mask = new Vector<uint>(_mask);
            for (var v = 0; v < vectors.Length; v++) vectors[v] &= mask;
            i = vectors.Length * Vector<uint>.Count;
        }
        for (; i < words.Length; i++) words[i] &= _mask;
    }

    /// <summary>Whether every word lies in Z_2^k (has no bit above the low k).</summary>
    public bool Holds(ReadOnlySpan<uint> words)
    {
        if (RingBits == 32) return true;
        var high = ~_mask;
        var i = 0;
        var seen = 0u;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<uint, Vector<uint>>(words);
            var any = Vector<uint>.Zero;
            for (var v = 0; v < vectors.Length; v++) any |= vectors[v];
            for (var lane = 0; lane < Vector<uint>.Count; lane++) seen |= any[lane];
            i = vectors.Length * Vector<uint>.Count;
        }
        for (; i < words.Length; i++) seen |= words[i];
        return (seen & high) == 0;
    }

    /// <summary>Decodes a sum of at most <see cref="MaxSummands"/> encoded values (mod 2^k, two's complement, units of 2^−F).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void Decode(ReadOnlySpan<uint> sum, Span<double> destination)
    {
        if (sum.Length != destination.Length) throw new ArgumentException($"{sum.Length} ring elements but room for {destination.Length}.", nameof(destination));
        var shift = 32 - RingBits;
        // Shifting the k-bit value to the top and back arithmetically sign-extends it.
        for (var i = 0; i < sum.Length; i++) destination[i] = (unchecked((int)(sum[i] << shift)) >> shift) / _scale;
    }

    /// <summary>The wire form of ring elements: the low k bits of each, little-endian, k / 8 bytes each.</summary>
    public byte[] Pack(ReadOnlySpan<uint> elements)
    {
        var bytes = new byte[elements.Length * ElementBytes];
        if (ElementBytes == 4)
        {
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(elements).CopyTo(bytes);
            else for (var i = 0; i < elements.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), elements[i]);
            return bytes;
        }
        for (int i = 0, b = 0; i < elements.Length; i++, b += 3)
        {
            var word = elements[i];
            bytes[b] = (byte)word;
            bytes[b + 1] = (byte)(word >> 8);
            bytes[b + 2] = (byte)(word >> 16);
        }
        return bytes;
    }

    /// <summary>Reads ring elements packed by <see cref="Pack"/>.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of k / 8.</exception>
    public uint[] Unpack(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % ElementBytes != 0) throw new ArgumentException($"{bytes.Length} bytes are not a whole number of {ElementBytes}-byte ring elements.", nameof(bytes));
        var elements = new uint[bytes.Length / ElementBytes];
        if (ElementBytes == 4)
        {
            for (var i = 0; i < elements.Length; i++) elements[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
            return elements;
        }
        for (int i = 0, b = 0; i < elements.Length; i++, b += 3) elements[i] = bytes[b] | (uint)bytes[b + 1] << 8 | (uint)bytes[b + 2] << 16;
        return elements;
    }

    /// <summary>accumulator += addend in Z_2^32 (and so in Z_2^k), element-wise.</summary>
    public static void Add(Span<uint> accumulator, ReadOnlySpan<uint> addend)
    {
        if (accumulator.Length != addend.Length) throw new ArgumentException($"Lengths {accumulator.Length} and {addend.Length} differ.", nameof(addend));
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Vector lanes wrap on overflow, as the ring does.
            var sums = MemoryMarshal.Cast<uint, Vector<uint>>(accumulator);
            var terms = MemoryMarshal.Cast<uint, Vector<uint>>(addend);
            for (var v = 0; v < sums.Length; v++) sums[v] += terms[v];
            i = sums.Length * Vector<uint>.Count;
        }
        for (; i < accumulator.Length; i++) accumulator[i] = unchecked(accumulator[i] + addend[i]);
    }

    /// <summary>accumulator −= subtrahend in Z_2^32 (and so in Z_2^k), element-wise.</summary>
    public static void Subtract(Span<uint> accumulator, ReadOnlySpan<uint> subtrahend)
    {
        if (accumulator.Length != subtrahend.Length) throw new ArgumentException($"Lengths {accumulator.Length} and {subtrahend.Length} differ.", nameof(subtrahend));
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var differences = MemoryMarshal.Cast<uint, Vector<uint>>(accumulator);
            var terms = MemoryMarshal.Cast<uint, Vector<uint>>(subtrahend);
            for (var v = 0; v < differences.Length; v++) differences[v] -= terms[v];
            i = differences.Length * Vector<uint>.Count;
        }
        for (; i < accumulator.Length; i++) accumulator[i] = unchecked(accumulator[i] - subtrahend[i]);
    }
}
