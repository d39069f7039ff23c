using System.Buffers.Binary;
using System.Security.Cryptography;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class MaskGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_mask_and_another_seed_another()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var other = (byte[])seed.Clone();
        other[31] ^= 1;
        Assert.Equal(MaskGenerator.Expand(seed, 1000), MaskGenerator.Expand(seed, 1000));
        Assert.NotEqual(MaskGenerator.Expand(seed, 1000), MaskGenerator.Expand(other, 1000));
        // A prefix of a longer mask is the shorter mask: every party expands the same stream.
        Assert.Equal(MaskGenerator.Expand(seed, 5), MaskGenerator.Expand(seed, 1001)[..5]);
    }

    [Fact]
    public void Adding_then_subtracting_a_mask_restores_the_vector()
    {
        var seed = new byte[32];
        seed[0] = 9;
        uint[] vector = [0, 1, uint.MaxValue, 12345];
        var copy = (uint[])vector.Clone();
        MaskGenerator.Apply(seed, copy, subtract: false);
        Assert.NotEqual(vector, copy);
        MaskGenerator.Apply(seed, copy, subtract: true);
        Assert.Equal(vector, copy);
    }

    /// <summary>
    /// The mask is AES-256-CTR's key stream (counter block b: eight zero bytes, then b big-endian),
    /// computed here in one piece from the definition: the chunked, vectorized expansion matches it
    /// word for word across chunk boundaries and at lengths that end mid-block and mid-vector.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(10_007)]
    public void The_mask_is_the_aes_ctr_key_stream_of_the_seed(int length)
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)(7 * i + 3)).ToArray();
        var blocks = (length + 3) / 4;
        var counters = new byte[blocks * 16];
        for (var block = 0; block < blocks; block++) BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(block * 16 + 8), (ulong)block);
        using var aes = Aes.Create();
        aes.Key = seed;
        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        var expected = Enumerable.Range(0, length).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(4 * i))).ToArray();
        Assert.Equal(expected, MaskGenerator.Expand(seed, length));

        // Adding and subtracting wrap in Z_2^32 element by element.
        var vector = Enumerable.Range(0, length).Select(i => uint.MaxValue - (uint)i).ToArray();
        var masked = (uint[])vector.Clone();
        MaskGenerator.Apply(seed, masked, subtract: false);
        Assert.Equal(vector.Zip(expected, (v, m) => unchecked(v + m)), masked);
        MaskGenerator.Apply(seed, masked, subtract: true);
        Assert.Equal(vector, masked);
    }

    [Fact]
    public void Seed_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MaskGenerator.Expand(new byte[16], 4));
    }
}
