using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// Makes Conv2d and Linear layers compute as the int8 model does: the input fake-quantized per
/// tensor, the weight per output channel, the bias left in float.
/// </summary>
internal static class FakeQuantizedLayers
{
    /// <summary>
    /// Hooks <paramref name="layer"/> so that each forward runs on the fake-quantized input and weight.
    /// </summary>
    /// <param name="hooks">The hook set that owns the hooks.</param>
    /// <param name="layer">A Conv2d (zero padding) or Linear layer.</param>
    /// <param name="inputRange">Called with each float input before it is quantized; returns the range to quantize it with (and may observe it first).</param>
    /// <param name="signed">int8 rather than uint8 activation levels.</param>
    /// <remarks>
    /// TorchSharp's Conv2d and Linear read their weight from a private field, so no hook can hand
    /// them another weight: the layer's own output is discarded and recomputed from the
    /// fake-quantized weight with the layer's settings. That costs one extra forward of each
    /// quantized layer (about a third more time per training step) and nothing in backward, since
    /// the discarded output leaves the autograd graph.
    /// </remarks>
    public static void Install(LayerHooks hooks, nn.Module<Tensor, Tensor> layer, Func<Tensor, ActivationRange> inputRange, bool signed = false)
    {
        Tensor? quantizedInput = null;
        hooks.BeforeForward(layer, input => quantizedInput = FakeQuantize.Activations(input, inputRange(input), signed));
        hooks.AfterForward(layer, (input, output) =>
        {
            var result = Recompute(layer, input);
            output.Dispose();
            // Autograd keeps what backward needs; the handle would otherwise live until the
            // caller's dispose scope ends, which in Predictor spans the whole dataset.
            if (ReferenceEquals(input, quantizedInput)) input.Dispose();
            quantizedInput = null;
            return result;
        });
    }

    private static Tensor Recompute(nn.Module<Tensor, Tensor> layer, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var output = layer switch
        {
            Linear linear => nn.functional.linear(input, FakeQuantize.Weights(linear.weight), linear.bias),
            Conv2d { padding_type: { } padding } conv =>
                nn.functional.conv2d_padding(input, FakeQuantize.Weights(conv.weight), conv.bias, conv.stride, padding, conv.dilation, conv.groups),
            Conv2d conv => nn.functional.conv2d(input, FakeQuantize.Weights(conv.weight), conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups),
            _ => throw new InvalidOperationException($"{layer.GetType().Name} is not a quantizable layer."),
        };
        return output.MoveToOuterDisposeScope();
    }
}
