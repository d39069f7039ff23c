using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Models;
using FedDistill.Serving.Onnx;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;

namespace FedDistill.Serving.Tests.Onnx;

[Collection(TorchGlobalState.Name)]
public sealed class Int8QdqExportTests(FashionMnistSample data, ITestOutputHelper output) : IClassFixture<FashionMnistSample>, IDisposable
{
    private static readonly long[] ImageShape = [1, 28, 28];
    private readonly TemporaryDirectory directory = new();

    /// <summary>
    /// The int8 graph predicts what the fp32 network predicts on real images: untrained networks
    /// of every kind, and an mlp fitted for a few steps (larger, more uneven activations).
    /// </summary>
    [Theory]
    [InlineData("mlp", 0)]
    [InlineData("mlp", 150)]
    [InlineData("small-cnn", 0)]
    [InlineData("lenet5", 0)]
    [InlineData("resnet8", 0)]
    public void Int8_argmax_agrees_with_TorchSharp_fp32_on_at_least_99_percent_of_500_fashion_mnist_test_images(string kind, int trainingSteps)
    {
        using var model = ZooModels.Create(kind, ImageShape);
        if (trainingSteps > 0) ZooModels.Fit(model, data, trainingSteps);
        var path = ExportInt8(model, $"{kind}-int8.onnx");

        long[] shape = [FashionMnistSample.EvaluationCount, .. ImageShape];
        var expected = ZooModels.Argmax(ZooModels.Logits(model, data.EvaluationImages, shape), 10);
        using var student = new OnnxStudent(path);
        var actual = ZooModels.Argmax(student.Run(data.EvaluationImages, shape), 10);

        var agreement = expected.Zip(actual, (e, a) => e == a ? 1.0 : 0.0).Average();
        output.WriteLine($"{kind} after {trainingSteps} training steps: int8 argmax agrees with fp32 on {agreement:P1} of {expected.Length} test images; {new FileInfo(path).Length} bytes");
        Assert.True(agreement >= 0.99, $"The int8 {kind} agrees with fp32 on {agreement:P1} of the images.");
    }

    [Fact]
    public void Int8_small_cnn_file_is_at_least_3_5_times_smaller_than_fp32()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var fp32 = directory.File("small-cnn.onnx");
        OnnxExporter.Export(model, ImageShape, fp32, OnnxExportOptions.Float32);
        var int8 = ExportInt8(model, "small-cnn-int8.onnx");

        var ratio = (double)new FileInfo(fp32).Length / new FileInfo(int8).Length;
        output.WriteLine($"small-cnn: fp32 {new FileInfo(fp32).Length} bytes, int8 {new FileInfo(int8).Length} bytes, ratio {ratio:F2}");
        Assert.True(ratio >= 3.5, $"fp32/int8 size ratio {ratio:F2}");
    }

    /// <summary>
    /// ONNX Runtime's fused integer kernels compute what the QDQ graph says, operator by operator
    /// (optimizations off): on CPUs without VNNI this fails if the saturating uint8×int8 kernel is used.
    /// </summary>
    [Fact]
    public void Served_int8_logits_equal_the_literal_evaluation_of_the_qdq_graph()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        ZooModels.Fit(model, data, 20);
        var path = ExportInt8(model, "small-cnn-int8.onnx");
        long[] shape = [200, .. ImageShape];
        var images = data.EvaluationImages[..(200 * 784)];

        using var student = new OnnxStudent(path);
        var served = student.Run(images, shape);
        using var literalOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var literal = new InferenceSession(path, literalOptions);
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var outputs = literal.Run(new RunOptions(), ["input"], [input], ["logits"]);
        var reference = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        var difference = served.Zip(reference, (s, r) => Math.Abs(s - r)).Max();
        output.WriteLine($"max |served - literal QDQ| = {difference:E2}");
        Assert.True(difference <= 1e-3, $"Largest difference {difference}");
    }

    [Fact]
    public void Weights_are_stored_as_int8_per_output_channel_with_scale_max_abs_over_127_and_zero_point_0()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var onnx = OnnxExporter.CreateModel(model, ImageShape, OnnxExportOptions.Int8(AnyCalibration(model)));
        var weights = model.named_parameters().ToDictionary(entry => entry.name, entry => entry.parameter.detach().contiguous().data<float>().ToArray());

        foreach (var layer in new[] { "conv1", "conv2", "fc1", "fc2" })
        {
            var quantized = Initializer(onnx, $"{layer}.weight_quantized");
            Assert.Equal((int)TensorProto.Types.DataType.Int8, quantized.DataType);
            var values = quantized.RawData.ToByteArray().Select(b => (sbyte)b).ToArray();
            var scales = Floats(Initializer(onnx, $"{layer}.weight_scale"));
            Assert.All(Initializer(onnx, $"{layer}.weight_zero_point").RawData.ToByteArray(), b => Assert.Equal(0, b));
            var original = weights[$"{layer}.weight"];
            var perChannel = original.Length / scales.Length;
            Assert.Equal(quantized.Dims[0], scales.Length);
            for (var channel = 0; channel < scales.Length; channel++)
            {
                var slice = original.AsSpan(channel * perChannel, perChannel).ToArray();
                Assert.Equal(slice.Max(Math.Abs) / 127f, scales[channel], 1e-7f);
                for (var i = 0; i < perChannel; i++)
                    Assert.True(Math.Abs(values[channel * perChannel + i] * scales[channel] - slice[i]) <= scales[channel] / 2 + 1e-7f, $"{layer} channel {channel} value {i}");
            }
            var dequantize = onnx.Graph.Node.Single(node => node.Name == $"{layer}.weight_dequantize");
            Assert.Equal(0, dequantize.Attribute.Single(attribute => attribute.Name == "axis").I);
        }
    }

    [Fact]
    public void Activation_scale_and_zero_point_come_from_the_calibrated_range_widened_to_include_zero()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var calibration = new QuantizationCalibration(new Dictionary<string, ActivationRange>
        {
            ["conv1"] = new(-1f, 3f),   // scale 4/255, zero point round(63.75) = 64
            ["conv2"] = new(0.5f, 2f),  // widened to [0, 2]: scale 2/255, zero point 0
            ["fc1"] = new(-2f, -1f),    // widened to [-2, 0]: scale 2/255, zero point 255
            ["fc2"] = new(0f, 0f),      // nothing but zeros: scale 1, zero point 0
        });
        var onnx = OnnxExporter.CreateModel(model, ImageShape, OnnxExportOptions.Int8(calibration));

        (float, byte) Parameters(string layer) =>
            (Floats(Initializer(onnx, $"{layer}.input_scale"))[0], Initializer(onnx, $"{layer}.input_zero_point").RawData[0]);
        Assert.Equal((4f / 255f, (byte)64), Parameters("conv1"));
        Assert.Equal((2f / 255f, (byte)0), Parameters("conv2"));
        Assert.Equal((2f / 255f, (byte)255), Parameters("fc1"));
        Assert.Equal((1f, (byte)0), Parameters("fc2"));
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, Initializer(onnx, "conv1.input_zero_point").DataType);
    }

    [Fact]
    public void Every_conv_and_gemm_reads_dequantized_input_weights_and_bias()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var onnx = OnnxExporter.CreateModel(model, ImageShape, OnnxExportOptions.Int8(AnyCalibration(model)));

        var producers = onnx.Graph.Node.SelectMany(node => node.Output.Select(tensor => (tensor, node))).ToDictionary(pair => pair.tensor, pair => pair.node);
        var layers = onnx.Graph.Node.Where(node => node.OpType is "Conv" or "Gemm").ToArray();
        Assert.Equal(4, layers.Length);
        foreach (var layer in layers)
        {
            Assert.Equal(3, layer.Input.Count);
            Assert.All(layer.Input, tensor => Assert.Equal("DequantizeLinear", producers[tensor].OpType));
            Assert.Equal("QuantizeLinear", producers[producers[layer.Input[0]].Input[0]].OpType);
            Assert.Equal((int)TensorProto.Types.DataType.Int32, Initializer(onnx, producers[layer.Input[2]].Input[0]).DataType);
        }
        Assert.DoesNotContain(onnx.Graph.Initializer, tensor => tensor.DataType == (int)TensorProto.Types.DataType.Float && tensor.Dims.Count > 1);
    }

    [Fact]
    public void Int8_export_without_a_range_for_every_layer_is_refused_naming_the_missing_layers()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var partial = new QuantizationCalibration(new Dictionary<string, ActivationRange> { ["conv1"] = new(0, 1), ["fc1"] = new(0, 1) });

        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, ImageShape, directory.File("x.onnx"), OnnxExportOptions.Int8(partial)));
        Assert.Contains("it has no range for conv2, fc2.", error.Message);
        Assert.Equal("options", error.ParamName);
        Assert.False(File.Exists(directory.File("x.onnx")));
    }

    [Fact]
    public void Int8_export_with_a_range_for_a_layer_the_model_lacks_is_refused()
    {
        using var model = ZooModels.Create("mlp", ImageShape);
        var ranges = OnnxExporter.QuantizableLayers(model).ToDictionary(layer => layer, _ => new ActivationRange(0, 1));
        ranges["fc1"] = new ActivationRange(0, 1);

        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, ImageShape, OnnxExportOptions.Int8(new QuantizationCalibration(ranges))));
        Assert.Contains("Mlp has no Conv2d or Linear layer named fc1.", error.Message);
        Assert.Contains("(layers: layers.1, layers.3, layers.5)", error.Message);
    }

    [Fact]
    public void Int8_export_with_a_reversed_or_infinite_range_is_refused()
    {
        using var model = ZooModels.Create("mlp", [30]);
        var ranges = OnnxExporter.QuantizableLayers(model).ToDictionary(layer => layer, _ => new ActivationRange(0, 1));
        ranges["layers.3"] = new ActivationRange(2, 1);
        ranges["layers.5"] = new ActivationRange(0, float.PositiveInfinity);

        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, [30], OnnxExportOptions.Int8(new QuantizationCalibration(ranges))));
        Assert.Contains("the range of layers.3 is [2, 1]; it must be finite with Min <= Max.", error.Message);
        Assert.Contains("the range of layers.5 is [0, Infinity]", error.Message);
    }

    [Fact]
    public void Int8_export_without_a_calibration_is_refused()
    {
        using var model = ZooModels.Create("mlp", [30]);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.CreateModel(model, [30], new OnnxExportOptions { Precision = OnnxPrecision.Int8Qdq }));
        Assert.Contains("OnnxExportOptions.Calibration is required for an int8 QDQ export", error.Message);
    }

    /// <summary>
    /// The ReLU output that feeds the next layer through max pooling is quantized with that layer's
    /// input scale, so ONNX Runtime fuses every layer into an integer operator (QLinearConv, QGemm)
    /// and pools on uint8: no float convolution or Gemm is left in its optimized graph. Without that
    /// quantization it ran the first convolution in float between dequantize and quantize steps,
    /// and the int8 file was 2× slower than the fp32 one.
    /// </summary>
    [Fact]
    public void Onnx_runtime_runs_every_layer_of_the_int8_small_cnn_on_integers()
    {
        using var model = ZooModels.Create("small-cnn", ImageShape);
        var path = ExportInt8(model, "small-cnn-int8.onnx");
        var onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var relu = onnx.Graph.Node.First(node => node.OpType == "Relu");
        var next = onnx.Graph.Node.Single(node => node.Input.Contains(relu.Output[0]));
        Assert.Equal("QuantizeLinear", next.OpType);
        Assert.Equal("conv2.input_scale", next.Input[1]);

        var optimized = directory.File("small-cnn-int8.optimized.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(path, options)) { }
        var operators = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.Select(node => node.OpType).ToList();
        output.WriteLine($"ONNX Runtime's optimized int8 small CNN: {string.Join(", ", operators)}");
        Assert.Equal(2, operators.Count(op => op == "QLinearConv"));
        Assert.Equal(2, operators.Count(op => op == "QGemm"));
        Assert.DoesNotContain(operators, op => op is "Conv" or "FusedConv" or "Gemm" or "MatMul");
    }

    private string ExportInt8(torch.nn.Module<torch.Tensor, torch.Tensor> model, string name)
    {
        QuantizationCalibration calibration;
        using (var images = data.TrainBatch(FashionMnistSample.TrainCount - 512, 512)) calibration = CalibrationPass.Measure(model, images);
        var path = directory.File(name);
        OnnxExporter.Export(model, ImageShape, path, OnnxExportOptions.Int8(calibration));
        return path;
    }

    private static QuantizationCalibration AnyCalibration(torch.nn.Module<torch.Tensor, torch.Tensor> model) =>
        new(OnnxExporter.QuantizableLayers(model).ToDictionary(layer => layer, _ => new ActivationRange(-1, 4)));

    private static TensorProto Initializer(ModelProto onnx, string name) => onnx.Graph.Initializer.Single(tensor => tensor.Name == name);

    private static float[] Floats(TensorProto tensor) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

    public void Dispose() => directory.Dispose();
}
