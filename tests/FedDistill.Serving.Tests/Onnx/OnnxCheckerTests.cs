using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Serving.Onnx;

namespace FedDistill.Serving.Tests.Onnx;

[Collection(TorchGlobalState.Name)]
public sealed class OnnxCheckerTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public static TheoryData<string, long[], OnnxPrecision> Exports => new()
    {
        { "mlp", [1, 28, 28], OnnxPrecision.Float32 },
        { "mlp", [1, 28, 28], OnnxPrecision.Int8Qdq },
        { "small-cnn", [1, 28, 28], OnnxPrecision.Float32 },
        { "small-cnn", [1, 28, 28], OnnxPrecision.Int8Qdq },
        { "lenet5", [3, 32, 32], OnnxPrecision.Float32 },
        { "lenet5", [3, 32, 32], OnnxPrecision.Int8Qdq },
        { "resnet8", [3, 32, 32], OnnxPrecision.Float32 },
        { "resnet8", [3, 32, 32], OnnxPrecision.Int8Qdq },
    };

    [Theory]
    [MemberData(nameof(Exports))]
    public void The_reference_onnx_checker_with_full_check_accepts_the_exported_file(string kind, long[] exampleShape, OnnxPrecision precision)
    {
        using var model = ZooModels.Create(kind, exampleShape);
        var options = precision == OnnxPrecision.Float32
            ? OnnxExportOptions.Float32
            : OnnxExportOptions.Int8(new QuantizationCalibration(OnnxExporter.QuantizableLayers(model).ToDictionary(layer => layer, _ => new ActivationRange(-0.5f, 3f))));
        var path = directory.File($"{kind}-{precision}.onnx");
        OnnxExporter.Export(model, exampleShape, path, options);

        OnnxChecker.AssertValid(path);
    }

    public void Dispose() => directory.Dispose();
}
