using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// Fake quantization: rounds floats onto the grid an int8 model computes with and returns them as
/// floats, so a float forward pass sees the int8 model's rounding and saturation. Gradients pass
/// straight through (the straight-through estimator), so the model can train on it.
/// </summary>
/// <remarks>
/// <para>Values follow ONNX Runtime's QuantizeLinear and DequantizeLinear in float32:
/// <c>q = clamp(round(x / scale) + zeroPoint)</c> with ties to even, then <c>(q − zeroPoint) · scale</c>,
/// with the parameters of <see cref="QuantizationMath"/>.</para>
/// <para>The gradient is 1 wherever the value lies within the grid's range and 0 where it
/// saturates (PyTorch's convention); symmetric weight grids never saturate. TorchSharp 0.107
/// declares libtorch's <c>fake_quantize_per_*_affine</c> but does not implement them, so the
/// estimator is built as <c>q + (c − c.detach())</c> with <c>c</c> the input clamped to the range:
/// the value is exactly <c>q</c> (the added term is exactly 0) and the gradient is the clamp's.</para>
/// </remarks>
public static class FakeQuantize
{
    /// <summary>
    /// A Conv2d or Linear weight rounded per output channel onto the symmetric int8 grid
    /// (<see cref="QuantizationMath.PerChannelWeightScales"/>, levels −127…127).
    /// </summary>
    /// <param name="weight">[out, ...] floating-point weight; the result is differentiable with respect to it (gradient 1).</param>
    /// <returns>A tensor of the weight's shape, owned by the current dispose scope.</returns>
    /// <exception cref="ArgumentException">The weight cannot be quantized (see <see cref="QuantizationMath.PerChannelWeightScales"/>).</exception>
    public static Tensor Weights(Tensor weight)
    {
        var scales = QuantizationMath.PerChannelWeightScales(weight);
        using var scope = torch.NewDisposeScope();
        var shape = new long[weight.dim()];
        Array.Fill(shape, 1L);
        shape[0] = scales.Length;
        var scale = torch.tensor(scales, shape, dtype: weight.dtype, device: weight.device);
        // The levels the exporter stores, dequantized as ONNX Runtime's DequantizeLinear does.
        var rounded = QuantizationMath.WeightLevels(weight, scales).to(weight.dtype).mul_(scale);
        return StraightThrough(rounded, weight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// An activation rounded per tensor onto the asymmetric grid of <paramref name="range"/>
    /// (<see cref="QuantizationMath.ActivationParameters"/>); values outside the range saturate to its ends.
    /// </summary>
    /// <param name="input">A floating-point activation; the result is differentiable with respect to it.</param>
    /// <param name="range">The range the int8 model quantizes this activation with.</param>
    /// <param name="signed">int8 rather than uint8 levels; the grid of values is the same unless the range is all zero.</param>
    /// <returns>A tensor of the input's shape, owned by the current dispose scope.</returns>
    /// <exception cref="ArgumentException">The range is invalid (see <see cref="QuantizationMath.ActivationParameters"/>).</exception>
    public static Tensor Activations(Tensor input, ActivationRange range, bool signed = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (scale, zeroPoint) = QuantizationMath.ActivationParameters(range, signed);
        var (lowest, highest) = QuantizationMath.ActivationLevels(signed);
        using var scope = torch.NewDisposeScope();
        Tensor rounded;
        using (torch.no_grad())
        {
            rounded = input.detach().div(scale).round_().add_(zeroPoint).clamp_(lowest, highest).sub_(zeroPoint).mul_(scale);
        }
        if (!input.requires_grad) return rounded.MoveToOuterDisposeScope();
        // The ends of the grid in float: the clamp zeroes the gradient of saturated values.
        var clamped = input.clamp((lowest - zeroPoint) * scale, (highest - zeroPoint) * scale);
        return StraightThrough(rounded, clamped).MoveToOuterDisposeScope();
    }

    /// <summary>The value of <paramref name="rounded"/> with the gradient of <paramref name="source"/>.</summary>
    private static Tensor StraightThrough(Tensor rounded, Tensor source) =>
        source.requires_grad ? rounded.add(source.sub(source.detach())) : rounded;
}
