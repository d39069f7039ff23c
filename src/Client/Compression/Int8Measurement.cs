namespace FedDistill.Client.Compression;

/// <summary>The int8 student, as <see cref="CompressionReport"/> records it.</summary>
/// <param name="Method"><c>ptq</c> (calibrated after training) or <c>qat</c> (quantization-aware training).</param>
/// <param name="SimulatedAccuracy">Test accuracy of the int8 computation simulated in TorchSharp (<c>SimulatedInt8Model</c>).</param>
/// <param name="OnnxAccuracy">Test accuracy of <c>student.int8.onnx</c> in ONNX Runtime.</param>
/// <param name="OnnxBytes">Bytes of <c>student.int8.onnx</c>.</param>
public sealed record Int8Measurement(string Method, double SimulatedAccuracy, double OnnxAccuracy, long OnnxBytes);
