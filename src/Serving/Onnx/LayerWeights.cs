namespace FedDistill.Serving.Onnx;

/// <summary>The weights of one Conv or Gemm as the graph stores them, copied out of the module.</summary>
/// <param name="Name">The module name (<c>conv1</c>, <c>layers.1</c>), which names the initializers and keys the calibration.</param>
/// <param name="Weight">Row-major values: [out, in/groups, kH, kW] for a convolution, [out, in] for a linear layer.</param>
/// <param name="Shape">The weight's shape.</param>
/// <param name="Bias">One value per output channel, or null when the layer has none.</param>
internal sealed record LayerWeights(string Name, float[] Weight, long[] Shape, float[]? Bias)
{
    /// <summary>Output channels (convolution) or features (linear layer).</summary>
    public long OutputChannels => Shape[0];
}
