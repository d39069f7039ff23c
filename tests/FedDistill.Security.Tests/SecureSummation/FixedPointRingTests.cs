using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class FixedPointRingTests
{
    public static TheoryData<int> RingWidths => new(32, 31, 24);

    private static FixedPointRing Preset(int bits) => bits switch
    {
        32 => FixedPointRing.Standard,
        31 => FixedPointRing.Packed31,
        _ => FixedPointRing.Compact,
    };

    /// <summary>Property over random sizes and values: the decoded ring sum is within N · 2^-(F+1) of the plain sum.</summary>
    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Decoded_ring_sum_equals_the_plain_sum_within_the_ring_precision(int bits)
    {
        var random = new Random(7);
        var ring = Preset(bits);
        for (var trial = 0; trial < 200; trial++)
        {
            var summands = random.Next(1, ring.MaxSummands + 1);
            var length = random.Next(1, 50);
            var sum = new uint[length];
            var plain = new double[length];
            var encoded = new uint[length];
            for (var k = 0; k < summands; k++)
            {
                var values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2 - 1) * ring.ClipBound)).ToArray();
                Assert.Equal(0, ring.Encode(values, encoded));
                FixedPointRing.Add(sum, encoded);
                for (var i = 0; i < length; i++) plain[i] += values[i];
            }
            ring.Reduce(sum);
            var decoded = new double[length];
            ring.Decode(sum, decoded);
            for (var i = 0; i < length; i++) Assert.InRange(Math.Abs(decoded[i] - plain[i]), 0, summands * ring.Resolution + 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Extreme_sum_of_the_most_summands_at_the_bound_does_not_overflow(int bits)
    {
        var ring = Preset(bits);
        var encoded = new uint[2];
        ring.Encode([(float)ring.ClipBound, (float)-ring.ClipBound], encoded);
        var sum = new uint[2];
        for (var k = 0; k < ring.MaxSummands; k++) FixedPointRing.Add(sum, encoded);
        var decoded = new double[2];
        ring.Decode(sum, decoded);
        Assert.Equal(ring.MaxSummands * ring.ClipBound, decoded[0]);
        Assert.Equal(-ring.MaxSummands * ring.ClipBound, decoded[1]);
    }

    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Packed_elements_take_k_bits_each_and_read_back(int bits)
    {
        var ring = Preset(bits);
        var encoded = new uint[3];
        ring.Encode([-1.5f, 0f, 7.25f], encoded);
        var packed = ring.Pack(encoded);
        Assert.Equal((3 * bits + 7) / 8, packed.Length);
        Assert.Equal(encoded, ring.Unpack(packed));
        var decoded = new double[3];
        ring.Decode(ring.Unpack(packed), decoded);
        Assert.Equal([-1.5, 0.0, 7.25], decoded);
    }

    /// <summary>
    /// Every width from 24 to 32 bits and every length from 0 to 40 (so every padding from 0 to 7
    /// bits): Pack writes ⌈n · k / 8⌉ bytes, keeps only the low k bits of each word, and Unpack
    /// gives those back, element by element.
    /// </summary>
    [Fact]
    public void Bit_packing_round_trips_at_every_width_and_length()
    {
        var random = new Random(13);
        for (var bits = 24; bits <= 32; bits++)
        {
            var ring = new FixedPointRing(fractionalBits: 8, clipBound: 1, maxSummands: 1, ringBits: bits);
            var low = bits == 32 ? uint.MaxValue : (1u << bits) - 1;
            for (var length = 0; length <= 40; length++)
            {
                // Whole 32-bit words: the bits above the low k must not leak into the neighbours.
                var words = Enumerable.Range(0, length).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
                var packed = ring.Pack(words);
                Assert.Equal(ring.PackedBytes(length), packed.Length);
                Assert.Equal((length * bits + 7) / 8, packed.Length);
                Assert.Equal(words.Select(word => word & low), ring.Unpack(packed));
            }
        }
    }

    [Fact]
    public void Unpack_refuses_a_length_or_padding_that_pack_never_writes()
    {
        var ring = FixedPointRing.Packed31;
        var packed = ring.Pack([1u, 2u, 3u]);
        Assert.Equal(12, packed.Length);
        Assert.Throws<ArgumentException>(() => ring.Unpack(packed.AsSpan(0, 11)));
        // 3 · 31 = 93 bits: the last byte's top 3 bits are padding.
        packed[^1] |= 0x80;
        var error = Assert.Throws<ArgumentException>(() => ring.Unpack(packed));
        Assert.Contains("padding", error.Message);
    }

    /// <summary>
    /// Property in Z_2^31, as a round carries it: random values at the bound's scale, each masked
    /// with a uniform 32-bit word, packed and unpacked; the unpacked masked words summed, the masks
    /// removed and the result decoded is within N · 2^-(F+1) of the plain sum.
    /// </summary>
    [Fact]
    public void Packed_masked_sum_in_Z_2_31_equals_the_plain_sum_within_the_ring_precision()
    {
        var random = new Random(17);
        var ring = FixedPointRing.Packed31;
        for (var trial = 0; trial < 50; trial++)
        {
            var summands = random.Next(1, ring.MaxSummands + 1);
            var length = random.Next(1, 60);
            var sum = new uint[length];
            var masks = new uint[length];
            var plain = new double[length];
            var encoded = new uint[length];
            for (var k = 0; k < summands; k++)
            {
                var values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2 - 1) * ring.ClipBound)).ToArray();
                Assert.Equal(0, ring.Encode(values, encoded));
                var mask = Enumerable.Range(0, length).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
                FixedPointRing.Add(encoded, mask);
                FixedPointRing.Add(masks, mask);
                FixedPointRing.Add(sum, ring.Unpack(ring.Pack(encoded)));
                for (var i = 0; i < length; i++) plain[i] += values[i];
            }
            FixedPointRing.Subtract(sum, masks);
            ring.Reduce(sum);
            var decoded = new double[length];
            ring.Decode(sum, decoded);
            for (var i = 0; i < length; i++) Assert.InRange(Math.Abs(decoded[i] - plain[i]), 0, summands * ring.Resolution + 1e-9);
        }
    }

    [Fact]
    public void Values_beyond_the_bound_are_clipped_and_counted()
    {
        var ring = new FixedPointRing(clipBound: 8, maxSummands: 10);
        var encoded = new uint[3];
        Assert.Equal(2, ring.Encode([100f, -9f, 3.5f], encoded));
        var decoded = new double[3];
        ring.Decode(encoded, decoded);
        Assert.Equal([8.0, -8.0, 3.5], decoded);
    }

    [Fact]
    public void Ring_whose_sum_could_overflow_is_refused_naming_the_settings()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointRing(fractionalBits: 16, clipBound: 64, maxSummands: 512));
        Assert.Contains("FixedPointRing.MaxSummands", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointRing(fractionalBits: 12, clipBound: 32, maxSummands: 64, ringBits: 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointRing(ringBits: 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedPointRing(fractionalBits: 16, clipBound: 64, maxSummands: 256, ringBits: 31));
    }

    [Fact]
    public void NaN_input_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FixedPointRing().Encode([1f, float.NaN], new uint[2]));
        Assert.Contains("Value 1 is NaN", error.Message);
    }

    /// <summary>The vectorized loops against the definition, at lengths below, at and past a vector's width, so the scalar tails count too.</summary>
    [Fact]
    public void Adding_subtracting_and_reducing_wrap_element_by_element_at_every_length()
    {
        var random = new Random(11);
        foreach (var length in new[] { 0, 1, 3, 7, 8, 9, 16, 17, 33, 1_001 })
        {
            var a = Enumerable.Range(0, length).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
            var sum = (uint[])a.Clone();
            FixedPointRing.Add(sum, b);
            Assert.Equal(a.Zip(b, (x, y) => unchecked(x + y)), sum);
            var difference = (uint[])a.Clone();
            FixedPointRing.Subtract(difference, b);
            Assert.Equal(a.Zip(b, (x, y) => unchecked(x - y)), difference);
            var reduced = (uint[])a.Clone();
            FixedPointRing.Compact.Reduce(reduced);
            Assert.Equal(a.Select(x => x & 0xFFFFFF), reduced);
            Assert.True(FixedPointRing.Compact.Holds(reduced));
            Assert.True(FixedPointRing.Standard.Holds(a));
        }
    }

    /// <summary>One word with a bit above 2^24 (2^31), at any position (vector body or tail), is outside Z_2^24 (Z_2^31).</summary>
    [Fact]
    public void A_word_outside_the_compact_ring_is_found_wherever_it_is()
    {
        for (var position = 0; position < 37; position++)
        {
            var words = new uint[37];
            words[position] = 1u << 24;
            Assert.False(FixedPointRing.Compact.Holds(words), $"position {position}");
            words[position] = 1u << 31;
            Assert.False(FixedPointRing.Packed31.Holds(words), $"position {position}, Z_2^31");
            Assert.True(FixedPointRing.Standard.Holds(words));
        }
    }
}
