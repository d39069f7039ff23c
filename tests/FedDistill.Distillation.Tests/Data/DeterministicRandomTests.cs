using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

// Golden values come from golden_values.py, an independent Python implementation of the
// published SplitMix64 / xoshiro256** / Lemire / Fisher-Yates definitions (output in golden_values.txt).
public sealed class DeterministicRandomTests
{
    [Fact]
    public void Xoshiro256starstar_matches_the_published_reference_from_state_1_2_3_4()
    {
        DeterministicRandom random = DeterministicRandom.FromState(1, 2, 3, 4);

        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL], Take(random, 4));
    }

    [Fact]
    public void SplitMix64_from_seed_0_matches_the_published_reference()
    {
        ulong state = 0;

        Assert.Equal(0xE220A8397B1DCDAFUL, DeterministicRandom.NextSplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, DeterministicRandom.NextSplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, DeterministicRandom.NextSplitMix64(ref state));
    }

    [Fact]
    public void Seeded_sequences_match_the_golden_values()
    {
        Assert.Equal(
            [0x99EC5F36CB75F2B4UL, 0xBF6E1F784956452AUL, 0x1A5F849D4933E6E0UL, 0x6AA594F1262D2D2CUL, 0xBBA5AD4A1F842E59UL, 0xFFEF8375D9EBCACAUL],
            Take(new DeterministicRandom(0), 6));
        Assert.Equal(
            [0x15780B2E0C2EC716UL, 0x6104D9866D113A7EUL, 0xAE17533239E499A1UL, 0xECB8AD4703B360A1UL, 0xFDE6DC7FE2EC5E64UL, 0xC50DA53101795238UL],
            Take(new DeterministicRandom(42), 6));
    }

    [Fact]
    public void NextDouble_is_the_top_53_bits_scaled_into_the_unit_interval()
    {
        var random = new DeterministicRandom(42);

        Assert.Equal(
            [0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876],
            Enumerable.Range(0, 4).Select(_ => random.NextDouble()));
    }

    [Fact]
    public void NextInt_matches_the_golden_values_for_small_and_large_ranges()
    {
        var random = new DeterministicRandom(42);
        Assert.Equal([0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2], Enumerable.Range(0, 12).Select(_ => random.NextInt(10)));

        random = new DeterministicRandom(42);
        Assert.Equal(
            [180094358, 813853890, 1460382104, 1985762978],
            Enumerable.Range(0, 4).Select(_ => random.NextInt(int.MaxValue)));
    }

    [Fact]
    public void NextInt_stays_in_range_and_hits_every_value_about_equally()
    {
        var random = new DeterministicRandom(1);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 9_600, 10_400));
        Assert.Equal(0, new DeterministicRandom(5).NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeterministicRandom(5).NextInt(0));
    }

    [Fact]
    public void Shuffle_matches_the_golden_permutation()
    {
        int[] items = Enumerable.Range(0, 10).ToArray();

        new DeterministicRandom(7).Shuffle(items.AsSpan());

        Assert.Equal([1, 8, 3, 0, 4, 5, 9, 6, 2, 7], items);
    }

    [Fact]
    public void DeriveSeed_matches_the_golden_values_and_separates_streams()
    {
        Assert.Equal(0x863B891F4C0ABD4FUL, DeterministicRandom.DeriveSeed(7, 0));
        Assert.Equal(0xE21B503436E97F5BUL, DeterministicRandom.DeriveSeed(7, 3));
        Assert.NotEqual(DeterministicRandom.DeriveSeed(7, 1), DeterministicRandom.DeriveSeed(8, 0));
    }

    [Fact]
    public void Gaussian_samples_have_mean_zero_and_variance_one()
    {
        var random = new DeterministicRandom(3);
        double[] samples = Enumerable.Range(0, 200_000).Select(_ => random.NextGaussian()).ToArray();

        double mean = samples.Average();
        double variance = samples.Select(x => (x - mean) * (x - mean)).Average();

        Assert.Equal(0.0, mean, 0.01);
        Assert.Equal(1.0, variance, 0.015);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(10.0)]
    public void Gamma_samples_have_mean_and_variance_equal_to_the_shape(double shape)
    {
        var random = new DeterministicRandom(11);
        double[] samples = Enumerable.Range(0, 200_000).Select(_ => random.NextGamma(shape)).ToArray();

        double mean = samples.Average();
        double variance = samples.Select(x => (x - mean) * (x - mean)).Average();

        // Standard error of the mean is sqrt(shape / n); allow about five of them.
        Assert.Equal(shape, mean, 5 * Math.Sqrt(shape / samples.Length));
        Assert.Equal(shape, variance, 0.05 * shape);
        Assert.All(samples, x => Assert.True(x >= 0));
    }

    [Fact]
    public void Gamma_rejects_a_shape_that_is_not_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeterministicRandom(1).NextGamma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeterministicRandom(1).NextGamma(double.NaN));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.1)]
    [InlineData(100.0)]
    public void Dirichlet_proportions_are_nonnegative_and_sum_to_one(double concentration)
    {
        var random = new DeterministicRandom(9);
        var proportions = new double[10];
        for (int draw = 0; draw < 100; draw++)
        {
            random.NextDirichlet(concentration, proportions);

            Assert.All(proportions, p => Assert.True(p >= 0));
            Assert.Equal(1.0, proportions.Sum(), 1e-12);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence_and_another_seed_does_not()
    {
        Assert.Equal(Take(new DeterministicRandom(123), 100), Take(new DeterministicRandom(123), 100));
        Assert.NotEqual(Take(new DeterministicRandom(123), 100), Take(new DeterministicRandom(124), 100));
    }

    private static ulong[] Take(DeterministicRandom random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.NextUInt64()).ToArray();
}
