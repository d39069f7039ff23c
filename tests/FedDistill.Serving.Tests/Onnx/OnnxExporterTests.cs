using FedDistill.Distillation.Models;
using FedDistill.Serving.Onnx;
using TorchSharp;

namespace FedDistill.Serving.Tests.Onnx;

[Collection(TorchGlobalState.Name)]
public sealed class OnnxExporterTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    [Fact]
    public void A_model_outside_the_zoo_is_refused_naming_its_kind()
    {
        using var model = torch.nn.Sequential(torch.nn.Linear(4, 2));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, [4], directory.File("x.onnx"), OnnxExportOptions.Float32));
        Assert.Equal("ONNX export supports the zoo's mlp (Mlp), small-cnn (SmallCnn), lenet5 (LeNet5), resnet8 and resnet20 (ResNetCifar); Sequential is not one of them.", error.Message);
    }

    [Fact]
    public void An_image_shape_with_a_batch_dimension_is_refused()
    {
        using var model = ZooModels.Create("small-cnn", [1, 28, 28]);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, [1, 1, 28, 28], OnnxExportOptions.Float32));
        Assert.Equal("ONNX export of SmallCnn: the input shape must be [channels, height, width] for one example (no batch dimension); got [1, 1, 28, 28].", error.Message);
    }

    [Fact]
    public void An_input_that_does_not_fit_the_first_layer_is_refused_naming_the_layer()
    {
        using var model = ZooModels.Create("small-cnn", [1, 28, 28]);
        var channels = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, [3, 28, 28], OnnxExportOptions.Float32));
        Assert.Equal("ONNX export of SmallCnn: layer 'conv1' takes 1 channels but receives 3 (shape [3, 28, 28]).", channels.Message);
        var size = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, [1, 32, 32], OnnxExportOptions.Float32));
        Assert.Equal("ONNX export of SmallCnn: layer 'fc1' takes 1568 features but receives shape [2048].", size.Message);
        using var mlp = ZooModels.Create("mlp", [30]);
        var width = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(mlp, [31], OnnxExportOptions.Float32));
        Assert.Equal("ONNX export of Mlp: layer 'layers.1' takes 30 features but receives shape [31].", width.Message);
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 1, 0, 28 })]
    public void An_empty_or_non_positive_input_shape_is_refused(long[] shape)
    {
        using var model = ZooModels.Create("mlp", [30]);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, shape, OnnxExportOptions.Float32));
        Assert.Equal("inputShape", error.ParamName);
    }

    [Fact]
    public void Quantizable_layers_are_the_conv_and_linear_module_names_in_network_order()
    {
        using var smallCnn = ZooModels.Create("small-cnn", [1, 28, 28]);
        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], OnnxExporter.QuantizableLayers(smallCnn));
        using var mlp = ZooModels.Create("mlp", [1, 28, 28]);
        Assert.Equal(["layers.1", "layers.3", "layers.5"], OnnxExporter.QuantizableLayers(mlp));
        using var resNet = ZooModels.Create("resnet8", [3, 32, 32]);
        Assert.Equal(
            ["conv1", "layer1.0.conv1", "layer1.0.conv2", "layer2.0.conv1", "layer2.0.conv2", "layer2.0.shortcut.0", "layer3.0.conv1", "layer3.0.conv2", "layer3.0.shortcut.0", "fc"],
            OnnxExporter.QuantizableLayers(resNet));
    }

    [Fact]
    public void Resnet_batch_norm_is_folded_into_its_convolutions()
    {
        using var model = ZooModels.Create("resnet8", [3, 32, 32]);
        var onnx = OnnxExporter.CreateModel(model, [3, 32, 32], OnnxExportOptions.Float32);

        Assert.DoesNotContain(onnx.Graph.Node, node => node.OpType == "BatchNormalization");
        Assert.Equal(9, onnx.Graph.Node.Count(node => node.OpType == "Conv"));
        Assert.Equal(3, onnx.Graph.Node.Count(node => node.OpType == "Add"));
        Assert.All(onnx.Graph.Node.Where(node => node.OpType == "Conv"), conv => Assert.Equal(3, conv.Input.Count));
    }

    [Fact]
    public void Export_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var model = ZooModels.Create("mlp", [30]);
        var path = directory.File("student.onnx");
        File.WriteAllText(path, "old");

        OnnxExporter.Export(model, [30], path, OnnxExportOptions.Float32);

        Assert.True(new FileInfo(path).Length > 1000);
        Assert.Equal(["student.onnx"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    public void Dispose() => directory.Dispose();
}
