using System.Globalization;
using FedDistill.Distillation.Compression.Quantization;
using Onnx;

namespace FedDistill.Serving.Onnx;

/// <summary>
/// Writes the nodes and initializers of an opset-13 graph, one operator per call, each returning
/// the name of the tensor it produces. In <see cref="OnnxPrecision.Int8Qdq"/> mode every Conv and
/// Gemm gets QuantizeLinear/DequantizeLinear on its input activation and DequantizeLinear on its
/// int8 weights and int32 bias, and the ReLU output that feeds the next layer through pooling is
/// quantized too, so that ONNX Runtime runs every layer on integers.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The operator set the graph is written for.</summary>
    public const long Opset = 13;

    /// <summary>ONNX IR version 7, the one that introduced opset 13.</summary>
    public const long IrVersion = 7;

    /// <summary>Name of the symbolic batch dimension.</summary>
    public const string BatchDimension = "batch";

    private readonly GraphProto graph = new();
    private readonly OnnxPrecision precision;
    private readonly QuantizationCalibration? calibration;
    private readonly Dictionary<string, int> counters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(OnnxPrecision precision, QuantizationCalibration? calibration)
    {
        if (precision == OnnxPrecision.Int8Qdq) ArgumentNullException.ThrowIfNull(calibration);
        this.precision = precision;
        this.calibration = calibration;
    }

    /// <summary>A 2-D convolution with zero padding, [N, C, H, W] in and out.</summary>
    public string Conv(string input, LayerWeights layer, long[] strides, long[] pads, long[] dilations, long groups)
    {
        var (x, weight, bias) = Operands(input, layer);
        var node = Node("Conv", layer.Name, [x, weight, .. bias is null ? Array.Empty<string>() : [bias]], $"{layer.Name}.output");
        node.Attribute.Add(Ints("kernel_shape", layer.Shape[2..]));
        node.Attribute.Add(Ints("strides", strides));
        node.Attribute.Add(Ints("pads", [pads[0], pads[1], pads[0], pads[1]]));
        node.Attribute.Add(Ints("dilations", dilations));
        node.Attribute.Add(Int("group", groups));
        return node.Output[0];
    }

    /// <summary>A fully connected layer, y = x·Wᵀ + b, [N, in] to [N, out].</summary>
    public string Gemm(string input, LayerWeights layer, string? outputName = null)
    {
        var (x, weight, bias) = Operands(input, layer);
        var node = Node("Gemm", layer.Name, [x, weight, .. bias is null ? Array.Empty<string>() : [bias]], outputName ?? $"{layer.Name}.output");
        node.Attribute.Add(Int("transB", 1));
        return node.Output[0];
    }

    public string Relu(string input) => Node("Relu", Unique("relu"), [input]).Output[0];

    public string Add(string left, string right) => Node("Add", Unique("add"), [left, right]).Output[0];

    public string GlobalAveragePool(string input) => Node("GlobalAveragePool", Unique("global_average_pool"), [input]).Output[0];

    /// <summary>[N, d1, d2, ...] to [N, d1·d2·...], as <c>flatten(1)</c> in PyTorch.</summary>
    public string Flatten(string input)
    {
        var node = Node("Flatten", Unique("flatten"), [input]);
        node.Attribute.Add(Int("axis", 1));
        return node.Output[0];
    }

    /// <summary>Max pooling without padding, rounding the output size down as PyTorch does.</summary>
    public string MaxPool(string input, long kernel, long stride)
    {
        var node = Node("MaxPool", Unique("max_pool"), [input]);
        node.Attribute.Add(Ints("kernel_shape", [kernel, kernel]));
        node.Attribute.Add(Ints("strides", [stride, stride]));
        return node.Output[0];
    }

    /// <summary>The finished model: the graph with its float input and output, opset 13, a dynamic batch dimension.</summary>
    public ModelProto Build(string graphName, string inputName, long[] exampleShape, string outputName, long outputWidth, string docString)
    {
        graph.Name = graphName;
        graph.DocString = docString;
        graph.Input.Add(FloatValue(inputName, exampleShape));
        graph.Output.Add(FloatValue(outputName, [outputWidth]));
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "FedDistill",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "feddistill.precision", Value = precision == OnnxPrecision.Int8Qdq ? "int8-qdq" : "float32" });
        return model;
    }

    /// <summary>The three inputs of a Conv or Gemm: in fp32 the initializers themselves, in int8 their dequantized forms.</summary>
    private (string Input, string Weight, string? Bias) Operands(string input, LayerWeights layer)
    {
        var channels = checked((int)layer.OutputChannels);
        if (precision == OnnxPrecision.Float32)
        {
            graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.weight", layer.Weight, layer.Shape));
            if (layer.Bias is not null) graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.bias", layer.Bias, channels));
            return (input, $"{layer.Name}.weight", layer.Bias is null ? null : $"{layer.Name}.bias");
        }

        // Input activation: uint8 per tensor from the calibrated range.
        var (inputScale, inputZeroPoint) = QdqMath.ForActivation(calibration!.Inputs[layer.Name]);
        graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.input_scale", [inputScale]));
        graph.Initializer.Add(OnnxTensors.UInt8($"{layer.Name}.input_zero_point", [inputZeroPoint]));
        QuantizeProducingActivation(input, layer.Name);
        var quantized = Node("QuantizeLinear", $"{layer.Name}.input_quantize",
            [input, $"{layer.Name}.input_scale", $"{layer.Name}.input_zero_point"], $"{layer.Name}.input_quantized");
        var x = Node("DequantizeLinear", $"{layer.Name}.input_dequantize",
            [quantized.Output[0], $"{layer.Name}.input_scale", $"{layer.Name}.input_zero_point"], $"{layer.Name}.input_dequantized").Output[0];

        // Weights: int8 symmetric per output channel (axis 0).
        var (weightValues, weightScales) = QdqMath.QuantizeWeights(layer.Weight, channels);
        graph.Initializer.Add(OnnxTensors.Int8($"{layer.Name}.weight_quantized", weightValues, layer.Shape));
        graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.weight_scale", weightScales, channels));
        graph.Initializer.Add(OnnxTensors.Int8($"{layer.Name}.weight_zero_point", new sbyte[channels], channels));
        var weightNode = Node("DequantizeLinear", $"{layer.Name}.weight_dequantize",
            [$"{layer.Name}.weight_quantized", $"{layer.Name}.weight_scale", $"{layer.Name}.weight_zero_point"], $"{layer.Name}.weight_dequantized");
        weightNode.Attribute.Add(Int("axis", 0));

        // Bias: int32 on the accumulator's grid, or fp32 where that grid is too fine for int32.
        if (layer.Bias is null) return (x, weightNode.Output[0], null);
        if (QdqMath.QuantizeBias(layer.Bias, inputScale, weightScales) is not { } bias)
        {
            graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.bias", layer.Bias, channels));
            return (x, weightNode.Output[0], $"{layer.Name}.bias");
        }
        graph.Initializer.Add(OnnxTensors.Int32($"{layer.Name}.bias_quantized", bias.Values, channels));
        graph.Initializer.Add(OnnxTensors.Float($"{layer.Name}.bias_scale", bias.Scales, channels));
        graph.Initializer.Add(OnnxTensors.Int32($"{layer.Name}.bias_zero_point", new int[channels], channels));
        var biasNode = Node("DequantizeLinear", $"{layer.Name}.bias_dequantize",
            [$"{layer.Name}.bias_quantized", $"{layer.Name}.bias_scale", $"{layer.Name}.bias_zero_point"], $"{layer.Name}.bias_dequantized");
        biasNode.Attribute.Add(Int("axis", 0));
        return (x, weightNode.Output[0], biasNode.Output[0]);
    }

    /// <summary>
    /// Quantizes, with this layer's input scale, the output of the ReLU that feeds the layer through
    /// max pooling or flattening (Conv → Relu → MaxPool → Flatten → this layer). ONNX Runtime runs a
    /// convolution or Gemm on integers (QLinearConv, QGemm) only when its output is quantized too;
    /// without a QuantizeLinear after the ReLU it dequantizes the weights and runs the float kernel,
    /// and the int8 graph is slower than the fp32 one. Max pooling and flattening commute with the
    /// monotone quantization, so the numbers are those of quantizing at the layer's input alone.
    /// </summary>
    private void QuantizeProducingActivation(string input, string layerName)
    {
        var current = input;
        while (true)
        {
            var index = IndexOfProducer(current);
            if (index < 0) return; // the graph's input
            var producer = graph.Node[index];
            if (producer.OpType is "MaxPool" or "Flatten")
            {
                current = producer.Input[0];
                continue;
            }
            if (producer.OpType != "Relu" || current == input) return; // a ReLU right before the layer is quantized by the layer's own input Q

            var activation = producer.Output[0];
            var consumers = graph.Node.Where(node => node.Input.Contains(activation)).ToList();
            if (consumers.Count != 1) return; // the activation goes elsewhere too (a residual branch): left in float
            var quantize = new NodeProto { OpType = "QuantizeLinear", Name = $"{layerName}.activation_quantize" };
            quantize.Input.Add([activation, $"{layerName}.input_scale", $"{layerName}.input_zero_point"]);
            quantize.Output.Add($"{layerName}.activation_quantized");
            var dequantize = new NodeProto { OpType = "DequantizeLinear", Name = $"{layerName}.activation_dequantize" };
            dequantize.Input.Add([quantize.Output[0], $"{layerName}.input_scale", $"{layerName}.input_zero_point"]);
            dequantize.Output.Add($"{layerName}.activation_dequantized");
            // Right after the ReLU, so that the nodes stay in topological order.
            graph.Node.Insert(index + 1, quantize);
            graph.Node.Insert(index + 2, dequantize);
            var consumer = consumers[0];
            for (var i = 0; i < consumer.Input.Count; i++)
                if (consumer.Input[i] == activation) consumer.Input[i] = dequantize.Output[0];
            return;
        }
    }

    private int IndexOfProducer(string tensor)
    {
        for (var i = graph.Node.Count - 1; i >= 0; i--)
            if (graph.Node[i].Output.Contains(tensor)) return i;
        return -1;
    }

    private NodeProto Node(string opType, string name, string[] inputs, string? output = null)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output ?? $"{name}.output");
        graph.Node.Add(node);
        return node;
    }

    private string Unique(string prefix)
    {
        counters.TryGetValue(prefix, out var count);
        counters[prefix] = count + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}_{count}");
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static ValueInfoProto FloatValue(string name, long[] exampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (var dimension in exampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dimension });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
