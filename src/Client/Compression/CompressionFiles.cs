using FedDistill.Distillation.Configuration;

namespace FedDistill.Client.Compression;

/// <summary>The files <c>feddistill compress</c> writes into its output directory.</summary>
public static class CompressionFiles
{
    /// <summary>The compressed student's state dict (safetensors), as <c>feddistill distill</c> names a student's.</summary>
    public const string State = CentralizedDistillation.StudentStateFile;

    /// <summary>The compressed student's <c>ModelSpec</c>: with structured pruning, the smaller widths.</summary>
    public const string Spec = CentralizedDistillation.StudentModelFile;

    /// <summary>The compressed student as an fp32 ONNX graph.</summary>
    public const string Onnx = "student.onnx";

    /// <summary>The compressed student as an int8 QDQ ONNX graph (with <c>--int8</c>).</summary>
    public const string Int8Onnx = "student.int8.onnx";

    /// <summary>The <see cref="CompressionReport"/> as JSON.</summary>
    public const string Report = "report.json";
}
