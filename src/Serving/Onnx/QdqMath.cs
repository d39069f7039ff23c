using FedDistill.Distillation.Compression.Quantization;

namespace FedDistill.Serving.Onnx;

/// <summary>The quantization parameters of an int8 QDQ export: how weights, biases and activations map to integers.</summary>
internal static class QdqMath
{
    /// <summary>Largest magnitude of a symmetric int8 weight; -128 is left unused so the grid is symmetric.</summary>
    public const int WeightLimit = QuantizationMath.WeightLimit;

    /// <summary>
    /// uint8 asymmetric parameters for an activation range, exactly as quantization-aware training
    /// and the int8 simulation compute them (<see cref="QuantizationMath.ActivationParameters"/>),
    /// so the exported graph runs the grid the student was trained and evaluated on.
    /// </summary>
    public static (float Scale, byte ZeroPoint) ForActivation(ActivationRange range)
    {
        var (scale, zeroPoint) = QuantizationMath.ActivationParameters(range, signed: false);
        return (scale, (byte)zeroPoint);
    }

    /// <summary>
    /// Symmetric per-output-channel int8 weights: channel o (the first axis, <paramref name="channels"/>
    /// equal slices of <paramref name="weights"/>) gets scale max|w_o| / 127 and values
    /// round(w / scale) in [-127, 127]. An all-zero channel (a pruned filter) gets scale 1.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) QuantizeWeights(float[] weights, int channels)
    {
        var perChannel = weights.Length / channels;
        var values = new sbyte[weights.Length];
        var scales = new float[channels];
        for (var channel = 0; channel < channels; channel++)
        {
            var slice = weights.AsSpan(channel * perChannel, perChannel);
            var largest = 0f;
            foreach (var weight in slice) largest = Math.Max(largest, Math.Abs(weight));
            var scale = largest > 0 ? largest / WeightLimit : 1f;
            scales[channel] = scale;
            for (var i = 0; i < perChannel; i++)
            {
                var level = Math.Clamp(MathF.Round(slice[i] / scale, MidpointRounding.ToEven), -WeightLimit, WeightLimit);
                values[channel * perChannel + i] = (sbyte)level;
            }
        }
        return (values, scales);
    }

    /// <summary>
    /// int32 biases on the grid of the layer's accumulator: scale_o = input scale × weight scale_o,
    /// as integer Conv and Gemm kernels expect; null when a bias would not fit in int32 (a tiny
    /// scale), in which case the caller keeps that bias in fp32.
    /// </summary>
    public static (int[] Values, float[] Scales)? QuantizeBias(float[] bias, float inputScale, float[] weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (var channel = 0; channel < bias.Length; channel++)
        {
            var scale = inputScale * weightScales[channel];
            if (!(scale > 0) || !float.IsFinite(scale)) return null;
            var level = Math.Round((double)bias[channel] / scale, MidpointRounding.ToEven);
            if (level is > int.MaxValue or < -int.MaxValue) return null;
            values[channel] = (int)level;
            scales[channel] = scale;
        }
        return (values, scales);
    }
}
