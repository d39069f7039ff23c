using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The fixed-point encoding secure summation works in: the ring Z_2^k with k =
/// <see cref="RingBits"/> (24 to 32), a value x stored as round(clip(x) · 2^F) in two's complement,
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
/// <para>Three presets: <see cref="Standard"/> (k = 32, F = 16, bound 64, 511 summands; 4 bytes a
/// value, 2× the fp16 upload, precision 7.6e−6), <see cref="Packed31"/> (k = 31, F = 16, bound
/// 64, 255 summands, Shamir's limit; 3.875 bytes a value, 1.94× fp16, the same precision: the
/// federation's rounds use this width) and <see cref="Compact"/> (k = 24, F = 12, bound 32, 63
/// summands; 3 bytes a value, 1.5× fp16, precision 1.2e−4, still finer than fp16's step for any
/// value above 0.25 in magnitude).</para>
/// </remarks>
public sealed class FixedPointRing
{
    private readonly double _scale;
    private readonly uint _mask;

    /// <summary>Creates a ring encoding and checks that a sum of <paramref name="maxSummands"/> clipped values cannot overflow.</summary>
    /// <param name="fractionalBits">F in [0, k − 2]: values are stored in units of 2^−F.</param>
    /// <param name="clipBound">B &gt; 0, finite: inputs are clipped to [−B, B].</param>
    /// <param name="maxSummands">The most values (organizations) summed, at least 1.</param>
    /// <param name="ringBits">k in [24, 32].</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range, or maxSummands · B · 2^F exceeds 2^(k−1) − 1.</exception>
    public FixedPointRing(int fractionalBits = 16, double clipBound = 64.0, int maxSummands = 511, int ringBits = 32)
    {
        if (ringBits is < 24 or > 32) throw new ArgumentOutOfRangeException(nameof(ringBits), ringBits, "FixedPointRing.RingBits must lie in [24, 32].");
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

    /// <summary>
    /// Z_2^31, F = 16, bound 64, up to 255 summands (255 · 64 · 2^16 &lt; 2^30): 31 bits a value
    /// (<see cref="Pack"/> packs bits, not bytes), precision 2^−17 ≈ 7.6e−6.
    /// </summary>
    public static FixedPointRing Packed31 { get; } = new(fractionalBits: 16, clipBound: 64, maxSummands: 255, ringBits: 31);

    /// <summary>Z_2^24, F = 12, bound 32, up to 63 summands: 3 bytes a value, precision 2^−13 ≈ 1.2e−4.</summary>
    public static FixedPointRing Compact { get; } = new(fractionalBits: 12, clipBound: 32, maxSummands: 63, ringBits: 24);

    /// <summary>
    /// The ring Z_2^k with F fractional bits and the largest clip bound that
    /// <paramref name="maxSummands"/> summands fit in, ⌊(2^(k−1) − 1) / (n · 2^F)⌋ (a whole number):
    /// how a round sizes its ring for its organizations.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range, or not even a bound of 1 fits.</exception>
    public static FixedPointRing WithLargestBound(int maxSummands, int fractionalBits, int ringBits)
    {
        if (maxSummands < 1) throw new ArgumentOutOfRangeException(nameof(maxSummands), maxSummands, "FixedPointRing.MaxSummands must be at least 1.");
        var clipBound = Math.Floor((Math.ScaleB(1.0, ringBits - 1) - 1) / (maxSummands * Math.ScaleB(1.0, fractionalBits)));
        return new FixedPointRing(fractionalBits, Math.Max(clipBound, 1), maxSummands, ringBits);
    }

    /// <summary>k: the ring is Z_2^k, and a packed element takes k bits.</summary>
    public int RingBits { get; }

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

    /// <summary>Bytes of <paramref name="count"/> packed ring elements: ⌈count · k / 8⌉.</summary>
    public int PackedBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return checked((int)(((long)count * RingBits + 7) / 8));
    }

    /// <summary>
    /// The wire form of ring elements: the low k bits of each, one little-endian bit stream
    /// (element i in bits [i · k, (i + 1) · k)), the last byte's unused high bits zero;
    /// <see cref="PackedBytes"/> bytes. Bits above the low k of an element are ignored.
    /// </summary>
    public byte[] Pack(ReadOnlySpan<uint> elements)
    {
        var bytes = new byte[PackedBytes(elements.Length)];
        if (RingBits == 32)
        {
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(elements).CopyTo(bytes);
            else for (var i = 0; i < elements.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), elements[i]);
            return bytes;
        }

        // Bits wait in a 64-bit buffer and leave it a byte at a time: at most 7 + k < 40 are held.
        ulong buffer = 0;
        var held = 0;
        var b = 0;
        foreach (var element in elements)
        {
            buffer |= (ulong)(element & _mask) << held;
            held += RingBits;
            while (held >= 8)
            {
                bytes[b++] = (byte)buffer;
                buffer >>= 8;
                held -= 8;
            }
        }

        if (held > 0) bytes[b] = (byte)buffer;
        return bytes;
    }

    /// <summary>Reads ring elements packed by <see cref="Pack"/>.</summary>
    /// <exception cref="ArgumentException">The length is not <see cref="PackedBytes"/> of a whole number of elements, or the padding bits are not zero.</exception>
    public uint[] Unpack(ReadOnlySpan<byte> bytes)
    {
        var count = (int)((long)bytes.Length * 8 / RingBits);
        if (PackedBytes(count) != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes are not a whole number of packed {RingBits}-bit ring elements.", nameof(bytes));
        var elements = new uint[count];
        if (RingBits == 32)
        {
            for (var i = 0; i < elements.Length; i++) elements[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
            return elements;
        }

        ulong buffer = 0;
        var held = 0;
        var b = 0;
        for (var i = 0; i < count; i++)
        {
            while (held < RingBits)
            {
                buffer |= (ulong)bytes[b++] << held;
                held += 8;
            }

            elements[i] = (uint)buffer & _mask;
            buffer >>= RingBits;
            held -= RingBits;
        }

        // What is left of the last byte is padding, which Pack writes as zeros: anything else is not its output.
        if (buffer != 0)
            throw new ArgumentException($"The last packed byte's {held} padding bits are not zero; this is not a packed vector of {RingBits}-bit ring elements.", nameof(bytes));
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
