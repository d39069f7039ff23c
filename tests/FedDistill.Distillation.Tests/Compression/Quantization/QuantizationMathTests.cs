using FedDistill.Distillation.Compression.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

public sealed class QuantizationMathTests
{
    public static TheoryData<float, float, bool, float, int> KnownRanges => new()
    {
        // scale = (max − min) / 255 over the range widened to contain 0; zero point = levels.Min − round(min / scale).
        { -1f, 2f, false, 3f / 255, 85 },
        { -1f, 2f, true, 3f / 255, -43 },
        { -0.5f, 0.25f, false, 0.75f / 255, 170 },
        // Ranges that exclude zero are widened to reach it: [0.5, 3] → [0, 3], [−4, −1] → [−4, 0].
        { 0.5f, 3f, false, 3f / 255, 0 },
        { 0.5f, 3f, true, 3f / 255, -128 },
        { -4f, -1f, false, 4f / 255, 255 },
        { -4f, -1f, true, 4f / 255, 127 },
        // An all-zero range gets ONNX Runtime's scale 1 and zero point 0.
        { 0f, 0f, false, 1f, 0 },
        { 0f, 0f, true, 1f, 0 },
    };

    [Theory]
    [MemberData(nameof(KnownRanges))]
    public void Activation_parameters_of_a_known_range_are_the_hand_computed_scale_and_zero_point(float min, float max, bool signed, float scale, int zeroPoint)
    {
        var parameters = QuantizationMath.ActivationParameters(new ActivationRange(min, max), signed);

        Assert.Equal(scale, parameters.Scale);
        Assert.Equal(zeroPoint, parameters.ZeroPoint);
    }

    [Theory]
    [InlineData(-1f, 2f)]
    [InlineData(-0.37f, 5.1f)]
    [InlineData(0.5f, 3f)]
    [InlineData(-4f, -1f)]
    public void Zero_falls_exactly_on_a_level_and_the_range_ends_within_half_a_step(float min, float max)
    {
        foreach (var signed in new[] { false, true })
        {
            var (scale, zeroPoint) = QuantizationMath.ActivationParameters(new ActivationRange(min, max), signed);
            var (lowest, highest) = QuantizationMath.ActivationLevels(signed);

            Assert.InRange(zeroPoint, lowest, highest);
            Assert.InRange((lowest - zeroPoint) * scale, Math.Min(min, 0) - scale / 2, Math.Min(min, 0) + scale / 2);
            Assert.InRange((highest - zeroPoint) * scale, Math.Max(max, 0) - scale / 2, Math.Max(max, 0) + scale / 2);
        }
    }

    [Fact]
    public void Activation_levels_are_0_to_255_unsigned_and_minus_128_to_127_signed()
    {
        Assert.Equal((0, 255), QuantizationMath.ActivationLevels(signed: false));
        Assert.Equal((-128, 127), QuantizationMath.ActivationLevels(signed: true));
    }

    [Theory]
    [InlineData(2f, 1f, "ActivationRange.Min (2) is greater than ActivationRange.Max (1)")]
    [InlineData(float.NaN, 1f, "ActivationRange.Min is NaN")]
    [InlineData(0f, float.PositiveInfinity, "ActivationRange.Max is Infinity")]
    public void An_impossible_range_is_refused_with_the_bound_named(float min, float max, string message)
    {
        var problem = Assert.Throws<ArgumentException>(() => QuantizationMath.ActivationParameters(new ActivationRange(min, max), signed: false));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void Per_channel_scales_are_max_abs_over_127_and_1_for_an_all_zero_channel()
    {
        // A Conv2d weight [3, 1, 2, 2]: channel maxima 1.27, 0 and 2.54.
        using var weight = torch.tensor(new float[] { 0.5f, -1.27f, 0f, 0.1f, 0, 0, 0, 0, -2.54f, 1f, 2f, -0.5f }, [3, 1, 2, 2]);

        var scales = QuantizationMath.PerChannelWeightScales(weight);

        Assert.Equal(new[] { 1.27f / 127, 1f, 2.54f / 127 }, scales);
        Assert.Equal(0.01f, scales[0], 1e-8f);
        Assert.Equal(0.02f, scales[2], 1e-8f);
    }

    [Fact]
    public void Per_channel_scales_of_a_linear_weight_take_each_row_separately()
    {
        using var weight = torch.tensor(new float[] { 0.4f, -2.0f, 1.1f, 0.1f, 0.2f, -0.3f }, [2, 3]);

        Assert.Equal(new[] { 2f / 127, 0.3f / 127 }, QuantizationMath.PerChannelWeightScales(weight));
    }

    [Fact]
    public void Weight_levels_are_the_rounded_quotients_within_127()
    {
        using var weight = torch.tensor(new float[] { 0.4f, -2.0f, 1.1f, 0.1f, 0.2f, -0.3f }, [2, 3]);
        var scales = QuantizationMath.PerChannelWeightScales(weight);

        using var levels = QuantizationMath.WeightLevels(weight, scales);

        // 0.4 / (2/127) = 25.4, 1.1 / (2/127) = 69.85; 0.1 / (0.3/127) = 42.3, 0.2 / (0.3/127) = 84.7.
        Assert.Equal(ScalarType.Int8, levels.dtype);
        Assert.Equal(new sbyte[] { 25, -127, 70, 42, 85, -127 }, levels.data<sbyte>().ToArray());
    }

    [Fact]
    public void A_weight_that_cannot_be_quantized_is_refused()
    {
        using var vector = torch.ones(3);
        using var infinite = torch.tensor(new float[] { 1, float.PositiveInfinity, 0, 1 }, [2, 2]);

        Assert.Contains("output channels first", Assert.Throws<ArgumentException>(() => QuantizationMath.PerChannelWeightScales(vector)).Message);
        Assert.Contains("Output channel 0", Assert.Throws<ArgumentException>(() => QuantizationMath.PerChannelWeightScales(infinite)).Message);
    }
}
