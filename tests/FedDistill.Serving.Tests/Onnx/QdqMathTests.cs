using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Serving.Onnx;

namespace FedDistill.Serving.Tests.Onnx;

public sealed class QdqMathTests
{
    [Theory]
    [InlineData(-1f, 3f, 4f / 255f, 64)]       // -min/scale = 63.75 rounds to 64
    [InlineData(0f, 6f, 6f / 255f, 0)]         // a ReLU output: zero point 0
    [InlineData(0.5f, 2f, 2f / 255f, 0)]       // widened down to 0
    [InlineData(-2f, -1f, 2f / 255f, 255)]     // widened up to 0
    [InlineData(0f, 0f, 1f, 0)]                // only zeros seen
    public void Activation_parameters_are_uint8_asymmetric_over_the_range_widened_to_zero(float min, float max, float scale, int zeroPoint)
    {
        var parameters = QdqMath.ForActivation(new ActivationRange(min, max));
        Assert.Equal(scale, parameters.Scale, 1e-9f);
        Assert.Equal(zeroPoint, parameters.ZeroPoint);
    }

    [Fact]
    public void Weights_are_symmetric_int8_per_channel_and_a_zero_channel_keeps_scale_1()
    {
        var (values, scales) = QdqMath.QuantizeWeights([1f, -0.5f, 0.25f, 0f, 0f, 0f, -2f, 1f, 0.004f], channels: 3);

        Assert.Equal([1f / 127, 1f, 2f / 127], scales);
        // 1 → 127; -0.5·127 = -63.5 → -64 (half to even); 0.25·127 = 31.75 → 32; 0.004·63.5 = 0.254 → 0.
        Assert.Equal([127, -64, 32, 0, 0, 0, -127, 64, 0], values.Select(v => (int)v));
    }

    [Fact]
    public void Bias_is_int32_on_the_accumulator_grid_input_scale_times_weight_scale()
    {
        var bias = QdqMath.QuantizeBias([0.5f, -1f], inputScale: 0.1f, weightScales: [0.01f, 0.02f]);

        Assert.NotNull(bias);
        Assert.Equal([0.001f, 0.002f], bias.Value.Scales, (e, a) => Math.Abs(e - a) < 1e-9f);
        Assert.Equal([500, -500], bias.Value.Values);
    }

    [Fact]
    public void A_bias_too_large_for_int32_on_its_grid_is_left_in_float()
    {
        Assert.Null(QdqMath.QuantizeBias([1e6f], inputScale: 1e-4f, weightScales: [1e-4f]));
    }
}
