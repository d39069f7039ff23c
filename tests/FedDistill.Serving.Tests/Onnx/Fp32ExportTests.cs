using FedDistill.Distillation.Models;
using FedDistill.Serving.Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace FedDistill.Serving.Tests.Onnx;

[Collection(TorchGlobalState.Name)]
public sealed class Fp32ExportTests(ITestOutputHelper output) : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public static TheoryData<string, long[]> KindsAndShapes => new()
    {
        { "mlp", [1, 28, 28] },
        { "mlp", [30] },
        { "small-cnn", [1, 28, 28] },
        { "small-cnn", [3, 32, 32] },
        { "lenet5", [1, 28, 28] },
        { "lenet5", [3, 32, 32] },
        { "resnet8", [3, 32, 32] },
    };

    [Theory]
    [MemberData(nameof(KindsAndShapes))]
    public void Onnx_runtime_logits_equal_TorchSharp_logits_within_1e_4(string kind, long[] exampleShape)
    {
        using var model = ZooModels.Create(kind, exampleShape);
        var path = directory.File($"{kind}.onnx");
        OnnxExporter.Export(model, exampleShape, path, OnnxExportOptions.Float32);

        torch.manual_seed(11);
        long[] shape = [5, .. exampleShape];
        var input = torch.randn(shape).data<float>().ToArray();
        var expected = ZooModels.Logits(model, input, shape);
        using var student = new OnnxStudent(path);
        var actual = student.Run(input, shape);

        Assert.Equal(expected.Length, actual.Length);
        var difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{kind} {string.Join("x", exampleShape)}: max |ONNX Runtime - TorchSharp| = {difference:E2} over {expected.Length} logits, file {new FileInfo(path).Length} bytes");
        Assert.True(difference <= 1e-4, $"Largest difference {difference}");
    }

    [Fact]
    public void Narrower_layers_export_with_their_real_widths()
    {
        // A pruned student: layer widths that differ from the factory's defaults.
        torch.manual_seed(3);
        using var model = new SmallCnn(inputChannels: 1, classes: 10, channels1: 5, channels2: 7, hiddenWidth: 19);
        model.eval();
        var path = directory.File("narrow.onnx");
        OnnxExporter.Export(model, [1, 28, 28], path, OnnxExportOptions.Float32);

        var input = torch.rand(new long[] { 3, 1, 28, 28 }).data<float>().ToArray();
        using var student = new OnnxStudent(path);
        var actual = student.Run(input, [3, 1, 28, 28]);
        var expected = ZooModels.Logits(model, input, [3, 1, 28, 28]);
        Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) <= 1e-4);
    }

    [Fact]
    public void Dropout_is_left_out_so_the_graph_computes_the_inference_network()
    {
        torch.manual_seed(5);
        using var model = new LeNet5(dropout: 0.5);
        model.eval();
        var path = directory.File("lenet-dropout.onnx");
        OnnxExporter.Export(model, [1, 28, 28], path, OnnxExportOptions.Float32);

        var onnx = OnnxExporter.CreateModel(model, [1, 28, 28], OnnxExportOptions.Float32);
        Assert.DoesNotContain(onnx.Graph.Node, node => node.OpType == "Dropout");
        var input = torch.rand(new long[] { 2, 1, 28, 28 }).data<float>().ToArray();
        using var student = new OnnxStudent(path);
        Assert.Equal(ZooModels.Logits(model, input, [2, 1, 28, 28]), student.Run(input, [2, 1, 28, 28]), (e, a) => Math.Abs(e - a) <= 1e-4);
    }

    [Fact]
    public void The_graph_has_opset_13_an_input_named_input_with_a_dynamic_batch_and_an_output_named_logits()
    {
        using var model = ZooModels.Create("small-cnn", [1, 28, 28]);
        var onnx = OnnxExporter.CreateModel(model, [1, 28, 28], OnnxExportOptions.Float32);

        Assert.Equal(13, Assert.Single(onnx.OpsetImport).Version);
        var input = Assert.Single(onnx.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal(["batch", "1", "28", "28"], input.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString()));
        var logits = Assert.Single(onnx.Graph.Output);
        Assert.Equal("logits", logits.Name);
        Assert.Equal(["batch", "10"], logits.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString()));
        Assert.Equal(["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"], onnx.Graph.Node.Select(node => node.OpType));
    }

    public void Dispose() => directory.Dispose();
}
