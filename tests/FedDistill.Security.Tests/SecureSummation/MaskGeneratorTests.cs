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

    [Fact]
    public void Seed_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MaskGenerator.Expand(new byte[16], 4));
    }
}
