using FedDistill.Distillation.Compression.Quantization;

namespace FedDistill.Serving.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Full precision: a plain fp32 graph.</summary>
    public static OnnxExportOptions Float32 { get; } = new();

    /// <summary>The number format of the graph; <see cref="OnnxPrecision.Float32"/> unless set.</summary>
    public OnnxPrecision Precision { get; init; } = OnnxPrecision.Float32;

    /// <summary>
    /// Required for <see cref="OnnxPrecision.Int8Qdq"/> (and then it must name every Conv2d and
    /// Linear layer, see <see cref="OnnxExporter.QuantizableLayers"/>); ignored for fp32.
    /// </summary>
    public QuantizationCalibration? Calibration { get; init; }

    /// <summary>The graph's name inside the file; the model's class name when null.</summary>
    public string? GraphName { get; init; }

    /// <summary>An int8 QDQ export with the given activation ranges.</summary>
    public static OnnxExportOptions Int8(QuantizationCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        return new OnnxExportOptions { Precision = OnnxPrecision.Int8Qdq, Calibration = calibration };
    }
}
