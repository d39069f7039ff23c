// Provisional copies of the quantization contract, which the quantization work defines in
// FedDistill.Distillation; delete this file once that lands (the names and shapes are the same).
namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>The observed range of one activation tensor, in the tensor's own units.</summary>
/// <param name="Min">The smallest value seen.</param>
/// <param name="Max">The largest value seen, at least <paramref name="Min"/>.</param>
public sealed record ActivationRange(float Min, float Max);

/// <summary>
/// Activation ranges measured on calibration data, keyed by the module name (as
/// <c>model.named_modules()</c> spells it, e.g. <c>conv1</c>, <c>fc1</c>, <c>layers.1</c>) of each
/// Conv2d or Linear layer whose input the range describes.
/// </summary>
/// <param name="Inputs">The input range of each Conv2d and Linear layer, by module name.</param>
public sealed record QuantizationCalibration(IReadOnlyDictionary<string, ActivationRange> Inputs);
