namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// What an int8 export needs beyond the weights: the input range of every Conv2d and Linear layer
/// of a model. The contract between calibration or quantization-aware training (which write it)
/// and the ONNX exporter and <see cref="SimulatedInt8Model"/> (which read it).
/// </summary>
/// <param name="Inputs">
/// The input range of each Conv2d and Linear layer, keyed by the layer's name in the model's
/// <c>named_modules()</c> (<c>"conv1"</c>, <c>"fc1"</c> for a SmallCnn; <c>"layers.1"</c>,
/// <c>"layers.3"</c> for an Mlp; <c>"layer1.0.conv1"</c> for a ResNet), in network order. The
/// first layer's input is the model's own input, so its range is the model input's range.
/// </param>
/// <remarks>
/// Weights need no entry: they are quantized per output channel, symmetrically, from their own
/// values (<see cref="QuantizationMath.PerChannelWeightScales"/>).
/// </remarks>
public sealed record QuantizationCalibration(IReadOnlyDictionary<string, ActivationRange> Inputs);
