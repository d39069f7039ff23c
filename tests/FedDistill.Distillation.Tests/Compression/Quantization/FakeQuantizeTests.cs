using FedDistill.Distillation.Compression.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

[Collection(TorchGlobalState.Name)]
public sealed class FakeQuantizeTests
{
    // Range [−1, 2] on uint8: scale s = 3/255, zero point 85, so the grid is k·s for k in −85…170.
    private static readonly ActivationRange MinusOneToTwo = new(-1f, 2f);
    private static readonly float[] Inputs = [-1.5f, -1f, -0.2f, 0f, 0.31f, 1f, 2f, 7f];

    [Fact]
    public void Activations_round_to_the_grid_of_their_range_and_saturate_outside_it()
    {
        using var scope = torch.NewDisposeScope();
        var step = 3f / 255;

        var quantized = FakeQuantize.Activations(torch.tensor(Inputs), MinusOneToTwo).data<float>().ToArray();

        // −1.5 and 7 saturate to the ends; 0.31 / s = 26.35 → 26; −0.2 / s = −17.0 → −17.
        int[] steps = [-85, -85, -17, 0, 26, 85, 170, 170];
        Assert.Equal(steps.Select(k => k * step).ToArray(), quantized);
        Assert.Equal(-1f, quantized[0]);
        Assert.Equal(2f, quantized[^1]);
    }

    [Fact]
    public void Signed_and_unsigned_activations_give_the_same_values()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.linspace(-3, 5, 1001);
        var range = new ActivationRange(-0.37f, 2.9f);

        var unsigned = FakeQuantize.Activations(input, range, signed: false);
        var signed = FakeQuantize.Activations(input, range, signed: true);

        Assert.Equal(unsigned.data<float>().ToArray(), signed.data<float>().ToArray());
    }

    [Fact]
    public void Activation_gradients_pass_straight_through_inside_the_range_and_stop_where_values_saturate()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(Inputs, requires_grad: true);
        var weights = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 });

        FakeQuantize.Activations(input, MinusOneToTwo).mul(weights).sum().backward();

        // d/dx of Σ wᵢ·q(xᵢ) is wᵢ where xᵢ lies in [−1, 2] (ends included), 0 beyond.
        Assert.Equal(new float[] { 0, 2, 3, 4, 5, 6, 7, 0 }, input.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Weights_round_per_output_channel_to_multiples_of_their_channel_scale()
    {
        using var scope = torch.NewDisposeScope();
        var weight = torch.tensor(new float[] { 0.4f, -2.0f, 1.1f, 0.1f, 0.2f, -0.3f }, [2, 3]);
        var (row0, row1) = (2f / 127, 0.3f / 127);

        var quantized = FakeQuantize.Weights(weight).data<float>().ToArray();

        // Levels 25, −127, 70 of row 0 and 42, 85, −127 of row 1 (see the WeightLevels test).
        Assert.Equal(new[] { 25 * row0, -127 * row0, 70 * row0, 42 * row1, 85 * row1, -127 * row1 }, quantized);
        Assert.Equal(0.3937008f, quantized[0], 1e-6f);
        Assert.Equal(-2f, quantized[1], 1e-6f);
        Assert.Equal(0.2007874f, quantized[4], 1e-6f);
    }

    [Fact]
    public void Conv_weights_keep_their_shape_and_every_channel_reaches_127_steps()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var weight = torch.randn(4, 3, 3, 3);
        var scales = QuantizationMath.PerChannelWeightScales(weight);

        var quantized = FakeQuantize.Weights(weight);

        Assert.Equal(weight.shape, quantized.shape);
        var steps = quantized.div(torch.tensor(scales).view(4, 1, 1, 1));
        Assert.True(steps.sub(steps.round()).abs().max().item<float>() < 1e-4f);
        Assert.Equal(new float[] { 127, 127, 127, 127 }, steps.abs().flatten(1).amax(1).round().data<float>().ToArray());
        Assert.True(quantized.sub(weight).abs().le(torch.tensor(scales).view(4, 1, 1, 1).div(2).add(1e-7f)).all().item<bool>());
    }

    [Fact]
    public void Weight_gradients_pass_straight_through()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        var weight = torch.randn(new long[] { 3, 5 }, requires_grad: true);
        var upstream = torch.randn(3, 5);

        FakeQuantize.Weights(weight).mul(upstream).sum().backward();

        Assert.Equal(upstream.data<float>().ToArray(), weight.grad!.data<float>().ToArray());
    }
}
