namespace FedDistill.Serving.Onnx;

/// <summary>The number format of an exported ONNX graph.</summary>
public enum OnnxPrecision
{
    /// <summary>32-bit floating point weights and activations throughout.</summary>
    Float32,

    /// <summary>
    /// QDQ int8: weights stored as int8 per output channel (symmetric), biases as int32, and the
    /// input activation of every Conv and Gemm quantized to uint8 per tensor from a calibration,
    /// each as a QuantizeLinear/DequantizeLinear pair that ONNX Runtime fuses into integer kernels.
    /// </summary>
    Int8Qdq,
}
