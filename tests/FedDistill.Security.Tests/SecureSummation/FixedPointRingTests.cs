using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class FixedPointRingTests
{
    public static TheoryData<int> RingWidths => new(32, 24);

    private static FixedPointRing Preset(int bits) => bits == 32 ? FixedPointRing.Standard : FixedPointRing.Compact;

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
    public void Packed_elements_take_k_over_8_bytes_and_read_back(int bits)
    {
        var ring = Preset(bits);
        var encoded = new uint[3];
        ring.Encode([-1.5f, 0f, 7.25f], encoded);
        var packed = ring.Pack(encoded);
        Assert.Equal(3 * bits / 8, packed.Length);
        Assert.Equal(encoded, ring.Unpack(packed));
        var decoded = new double[3];
        ring.Decode(ring.Unpack(packed), decoded);
        Assert.Equal([-1.5, 0.0, 7.25], decoded);
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

    /// <summary>One word with a bit above 2^24, at any position (vector body or tail), is outside Z_2^24.</summary>
    [Fact]
    public void A_word_outside_the_compact_ring_is_found_wherever_it_is()
    {
        for (var position = 0; position < 37; position++)
        {
            var words = new uint[37];
            words[position] = 1u << 24;
            Assert.False(FixedPointRing.Compact.Holds(words), $"position {position}");
        }
    }
}
