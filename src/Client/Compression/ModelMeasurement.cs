namespace FedDistill.Client.Compression;

/// <summary>One float student's size and accuracy, as <see cref="CompressionReport"/> records it.</summary>
/// <param name="Accuracy">Test accuracy in TorchSharp, in [0, 1].</param>
/// <param name="OnnxAccuracy">Test accuracy of its fp32 ONNX file in ONNX Runtime, or null where none was written (the original).</param>
/// <param name="Parameters">Parameter elements (weights, biases, batch norm).</param>
/// <param name="NonzeroParameters">Parameter elements that are not zero: fewer than <paramref name="Parameters"/> after unstructured pruning.</param>
/// <param name="StateDictBytes">Bytes of its <c>student.safetensors</c>.</param>
/// <param name="OnnxBytes">Bytes of its fp32 <c>student.onnx</c>, or null where none was written.</param>
public sealed record ModelMeasurement(double Accuracy, double? OnnxAccuracy, long Parameters, long NonzeroParameters, long StateDictBytes, long? OnnxBytes);
