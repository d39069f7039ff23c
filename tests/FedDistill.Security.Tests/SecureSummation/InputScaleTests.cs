using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

/// <summary>The exponent an organization states: the smallest power of two that brings its largest value within the target, filling it to within a factor 2.</summary>
public sealed class InputScaleTests
{
    [Theory]
    [InlineData(21_000, 5_461.0 / 64, 8)]   // a demo hospital's private examples under fixed-weights at 3 organizations: 21,000 / 256 = 82.0 ≤ 85.3
    [InlineData(49_000, 5_461.0 / 64, 10)]  // three demo hospitals' worth: 49,000 / 1,024 = 47.9
    [InlineData(2_100, 5_461, -1)]          // a class total under per-class-weighted: 2,100 × 2 = 4,200 ≤ 5,461
    [InlineData(1_024, 1_024, 0)]           // exactly at the target: no scaling
    [InlineData(1_025, 1_024, 1)]
    [InlineData(1, 8_191, -12)]
    public void The_exponent_is_the_smallest_that_fits(double largest, double target, int expected)
    {
        var exponent = InputScale.Exponent(largest, target);
        Assert.Equal(expected, exponent);
        Assert.True(largest / InputScale.Of(exponent) <= target);
        Assert.True(largest / InputScale.Of(exponent) > target / 2);
    }

    [Fact]
    public void The_exponent_fills_the_target_within_a_factor_2_across_magnitudes()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var largest = Math.Pow(2, random.NextDouble() * 60 - 20);
            var target = Math.Pow(2, random.NextDouble() * 20 - 5);
            var scaled = largest / InputScale.Of(InputScale.Exponent(largest, target));
            Assert.True(scaled > target / 2 && scaled <= target, $"{largest} over {target} scaled to {scaled}");
        }
    }

    [Fact]
    public void Nothing_to_sum_states_the_least_exponent_and_a_need_beyond_the_range_states_the_most()
    {
        Assert.Equal(InputScale.MinExponent, InputScale.Exponent(0, 100));
        Assert.Equal(InputScale.MaxExponent, InputScale.Exponent(1e300, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputScale.Exponent(double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputScale.Exponent(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputScale.Exponent(1, 0));
    }

    [Fact]
    public void The_rounds_exponent_is_the_largest_advertised_and_0_for_none()
    {
        static KeyAdvertisement Stating(int exponent) => new("org", [], [], [], [], exponent);
        Assert.Equal(3, InputScale.Exponent([Stating(-4), Stating(3), Stating(1)]));
        Assert.Equal(-4, InputScale.Exponent([Stating(-4), Stating(InputScale.MinExponent)]));
        Assert.Equal(0, InputScale.Exponent([]));
        Assert.Equal(0.125, InputScale.Of(-3));
    }
}
