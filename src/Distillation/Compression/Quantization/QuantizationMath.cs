using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// The quantization parameters of an int8 model, computed in one place so that the ONNX exporter
/// (which writes them into the graph) and the fake quantization of training and simulation
/// (which imitate the graph) agree bit for bit.
/// </summary>
/// <remarks>
/// Weights: per output channel, symmetric, int8 levels −127…127 (zero point 0, scale
/// max|w|/127). Activations: per tensor, asymmetric, uint8 levels 0…255 or int8 levels −128…127,
/// scale (max − min)/255 and the zero point that maps 0 exactly onto a level. Both follow ONNX
/// Runtime's own quantization tool, including its rule that a scale below the smallest normal
/// float (an all-zero channel or range) becomes 1.
/// </remarks>
public static class QuantizationMath
{
    /// <summary>The largest magnitude of a quantized weight: weights use the symmetric levels −127…127.</summary>
    public const int WeightLimit = 127;

    // ONNX Runtime's quantizer replaces a scale below float32's smallest normal value by 1: the
    // values are all zero then, and any scale represents them; a zero or denormal scale would not.
    private const float SmallestNormal = 1.17549435e-38f;

    /// <summary>The quantized levels of an activation: [0, 255] for uint8, [−128, 127] for int8.</summary>
    public static (int Min, int Max) ActivationLevels(bool signed) =>
        signed ? (sbyte.MinValue, sbyte.MaxValue) : (byte.MinValue, byte.MaxValue);

    /// <summary>
    /// The scale and zero point of an activation with the given range, for a QuantizeLinear node:
    /// <c>q = clamp(round(x / Scale) + ZeroPoint)</c>, <c>x ≈ (q − ZeroPoint) · Scale</c>.
    /// </summary>
    /// <param name="range">The observed range; widened to contain zero, which must be exactly representable (zero padding, ReLU).</param>
    /// <param name="signed">True for int8 levels (−128…127), false for uint8 (0…255). Both give the same grid of values; only the zero point differs, by 128.</param>
    /// <returns>A positive float32 scale and a zero point within the levels.</returns>
    /// <exception cref="ArgumentException">A bound is not finite, or <see cref="ActivationRange.Min"/> exceeds <see cref="ActivationRange.Max"/>.</exception>
    public static (float Scale, int ZeroPoint) ActivationParameters(ActivationRange range, bool signed)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (!float.IsFinite(range.Min)) throw new ArgumentException($"ActivationRange.Min is {Format(range.Min)}; it must be finite.", nameof(range));
        if (!float.IsFinite(range.Max)) throw new ArgumentException($"ActivationRange.Max is {Format(range.Max)}; it must be finite.", nameof(range));
        if (range.Min > range.Max)
            throw new ArgumentException($"ActivationRange.Min ({Format(range.Min)}) is greater than ActivationRange.Max ({Format(range.Max)}).", nameof(range));

        var (lowest, highest) = ActivationLevels(signed);
        double low = Math.Min(range.Min, 0f);
        double high = Math.Max(range.Max, 0f);
        // The graph stores a float32 scale, so the zero point is derived from that float, not from
        // the exact quotient: the pair then maps 0 onto a level exactly as ONNX Runtime computes it.
        var scale = (float)((high - low) / (highest - lowest));
        if (scale < SmallestNormal) return (1f, 0);
        var zeroPoint = lowest - Math.Round(low / scale, MidpointRounding.ToEven);
        return (scale, (int)Math.Clamp(zeroPoint, lowest, highest));
    }

    /// <summary>
    /// The symmetric int8 scale of each output channel of a Conv2d or Linear weight:
    /// max|w| over the channel divided by <see cref="WeightLimit"/> (1 for an all-zero channel).
    /// </summary>
    /// <param name="weight">A floating-point weight with the output channels first: [out, in] or [out, in/groups, kh, kw]; on any device. Not modified.</param>
    /// <returns>One positive scale per output channel, a new array the caller owns.</returns>
    /// <exception cref="ArgumentException">The weight has fewer than two dimensions, is not floating point, or holds NaN or ±∞.</exception>
    public static float[] PerChannelWeightScales(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() < 2)
            throw new ArgumentException($"The weight has shape [{string.Join(", ", weight.shape)}]; per-channel scales need [out, in, ...] with the output channels first.", nameof(weight));
        if (!torch.is_floating_point(weight.dtype))
            throw new ArgumentException($"The weight is {weight.dtype}; quantization needs a floating-point weight.", nameof(weight));

        float[] maxima;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            // The division happens below in C#, not on the device: CUDA divides by a scalar as a
            // multiply by its reciprocal, which can differ in the last bit from the exporter's value.
            maxima = weight.detach().abs().flatten(1).amax(1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        }

        var scales = new float[maxima.Length];
        for (var channel = 0; channel < maxima.Length; channel++)
        {
            if (!float.IsFinite(maxima[channel]))
                throw new ArgumentException($"Output channel {channel} of the weight holds a non-finite value; it cannot be quantized.", nameof(weight));
            var scale = maxima[channel] / WeightLimit;
            scales[channel] = scale < SmallestNormal ? 1f : scale;
        }
        return scales;
    }

    /// <summary>
    /// The int8 levels of a weight quantized with <paramref name="scales"/>: <c>round(w / scale)</c>
    /// per output channel, ties to even, within ±<see cref="WeightLimit"/>; what the exporter stores
    /// and what <see cref="FakeQuantize.Weights"/> computes with, from one expression.
    /// </summary>
    /// <param name="weight">A floating-point weight with the output channels first; not modified, no gradient recorded.</param>
    /// <param name="scales">One scale per output channel, from <see cref="PerChannelWeightScales"/>.</param>
    /// <returns>An int8 tensor of the weight's shape on its device, owned by the caller's dispose scope (or the caller when there is none).</returns>
    /// <exception cref="ArgumentException">The scales do not match the weight's output channels.</exception>
    public static Tensor WeightLevels(Tensor weight, float[] scales)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(scales);
        if (weight.dim() < 2 || weight.shape[0] != scales.Length)
            throw new ArgumentException($"There are {scales.Length} scales for a weight of shape [{string.Join(", ", weight.shape)}]; there must be one per output channel (the first dimension).", nameof(scales));
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var shape = new long[weight.dim()];
        Array.Fill(shape, 1L);
        shape[0] = scales.Length;
        var scale = torch.tensor(scales, shape, dtype: weight.dtype, device: weight.device);
        var levels = weight.detach().div(scale).round_().clamp_(-WeightLimit, WeightLimit).to(ScalarType.Int8);
        return levels.MoveToOuterDisposeScope();
    }

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
