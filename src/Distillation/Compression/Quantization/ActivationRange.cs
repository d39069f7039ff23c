namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// The range of values one layer's input takes, as calibration or quantization-aware training
/// observed it; the ONNX exporter turns it into that input's QuantizeLinear/DequantizeLinear pair
/// through <see cref="QuantizationMath.ActivationParameters"/>.
/// </summary>
/// <param name="Min">The smallest value kept, in the input's own units; finite and at most <paramref name="Max"/>.</param>
/// <param name="Max">The largest value kept; finite.</param>
/// <remarks>
/// The range is stored as observed; it need not contain zero (the input of a layer after a ReLU
/// starts at 0, the model's own input may not). <see cref="QuantizationMath.ActivationParameters"/>
/// widens it to contain zero, as ONNX Runtime requires.
/// </remarks>
public sealed record ActivationRange(float Min, float Max);
