using System.Globalization;
using FedDistill.Distillation.Compression.Quantization;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Serving.Onnx;

/// <summary>
/// Writes a student of the model zoo as an ONNX file that ONNX Runtime serves: opset 13, one
/// float input named <see cref="InputName"/> of shape [N, C, H, W] or [N, F] with a dynamic batch
/// dimension N, one output <see cref="OutputName"/> of shape [N, classes]; in fp32 or as an int8
/// QDQ graph (<see cref="OnnxPrecision"/>).
/// </summary>
/// <remarks>
/// The exporter knows the zoo's networks (mlp, small-cnn, lenet5, resnet8, resnet20) and writes
/// Conv, Relu, MaxPool, Flatten, Gemm, Add and GlobalAveragePool from their layers' weights; it
/// does not trace arbitrary modules. The graph is the inference form: dropout is left out and
/// batch norm uses its running statistics (folded into the convolution before it), whatever mode
/// the module is in.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's output, the class logits.</summary>
    public const string OutputName = "logits";

    /// <summary>
    /// The module names (as <c>named_modules()</c> gives them) of the Conv2d and Linear layers of
    /// <paramref name="model"/>, in network order: the keys an int8 export's
    /// <see cref="QuantizationCalibration.Inputs"/> must hold, e.g. conv1, conv2, fc1, fc2 for small-cnn.
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not of a kind the exporter knows.</exception>
    public static IReadOnlyList<string> QuantizableLayers(nn.Module<Tensor, Tensor> model) => ZooGraphWalker.QuantizableLayers(model);

    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/>, replacing any file there.</summary>
    /// <param name="model">A network of the zoo; it is read, not changed.</param>
    /// <param name="inputShape">
    /// The shape of one example without the batch dimension, as <c>Dataset.ExampleShape</c> gives
    /// it: [C, H, W] for the convolutional kinds, any shape whose product is the input width for
    /// mlp (e.g. [1, 28, 28] or [784]). The graph's input is [N, ..inputShape].
    /// </param>
    /// <param name="path">The file to write; its directory must exist. Written to a temporary file first, then moved.</param>
    /// <param name="options">Precision and, for int8, the calibration.</param>
    /// <exception cref="NotSupportedException">The model is not of a kind the exporter knows, or uses a layer setting it cannot write.</exception>
    /// <exception cref="ArgumentException">
    /// The input shape does not fit the model, or an int8 export's calibration misses a layer,
    /// names a layer the model lacks, or holds a range that is not finite or has Min above Max.
    /// </exception>
    public static void Export(nn.Module<Tensor, Tensor> model, long[] inputShape, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        var onnx = CreateModel(model, inputShape, options);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = File.Create(temporary)) onnx.WriteTo(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The ONNX model <see cref="Export"/> writes, as a protobuf message.</summary>
    internal static ModelProto CreateModel(nn.Module<Tensor, Tensor> model, long[] inputShape, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(options);
        if (inputShape.Length == 0 || inputShape.Any(dimension => dimension < 1))
            throw new ArgumentException($"The input shape [{string.Join(", ", inputShape)}] must have at least one dimension, all positive (one example, no batch dimension).", nameof(inputShape));
        var layers = QuantizableLayers(model);
        if (options.Precision == OnnxPrecision.Int8Qdq) CheckCalibration(options.Calibration, layers, model.GetType().Name);
        else if (options.Precision != OnnxPrecision.Float32)
            throw new ArgumentException($"OnnxExportOptions.Precision is {options.Precision}; allowed: {string.Join(", ", Enum.GetNames<OnnxPrecision>())}.", nameof(options));

        var builder = new OnnxGraphBuilder(options.Precision, options.Calibration);
        using var noGrad = torch.no_grad();
        var classes = ZooGraphWalker.Write(model, inputShape, builder, InputName, OutputName);
        var kind = model.GetType().Name;
        var precision = options.Precision == OnnxPrecision.Int8Qdq ? "int8 QDQ" : "fp32";
        return builder.Build(options.GraphName ?? kind, InputName, inputShape, OutputName, classes, $"{kind} exported by FedDistill ({precision}).");
    }

    private static void CheckCalibration(QuantizationCalibration? calibration, IReadOnlyList<string> layers, string kind)
    {
        if (calibration?.Inputs is null)
            throw new ArgumentException("OnnxExportOptions.Calibration is required for an int8 QDQ export: the input range of every Conv2d and Linear layer.", "options");
        var problems = new List<string>();
        var missing = layers.Where(layer => !calibration.Inputs.ContainsKey(layer)).ToArray();
        if (missing.Length > 0) problems.Add($"it has no range for {string.Join(", ", missing)}.");
        var unknown = calibration.Inputs.Keys.Where(key => !layers.Contains(key)).ToArray();
        if (unknown.Length > 0) problems.Add($"{kind} has no Conv2d or Linear layer named {string.Join(", ", unknown)}.");
        foreach (var (layer, range) in calibration.Inputs)
        {
            if (range is null || !float.IsFinite(range.Min) || !float.IsFinite(range.Max) || range.Min > range.Max)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"the range of {layer} is {(range is null ? "null" : $"[{range.Min}, {range.Max}]")}; it must be finite with Min <= Max."));
        }
        if (problems.Count > 0)
            throw new ArgumentException($"OnnxExportOptions.Calibration does not fit {kind} (layers: {string.Join(", ", layers)}): {string.Join(" ", problems)}", "options");
    }
}
