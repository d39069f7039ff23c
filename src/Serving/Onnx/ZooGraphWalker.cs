using System.Globalization;
using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Serving.Onnx;

/// <summary>
/// Writes a zoo model (<see cref="Mlp"/>, <see cref="SmallCnn"/>, <see cref="LeNet5"/>,
/// <see cref="ResNetCifar"/>) as ONNX operators by walking its known structure. Layer sizes come
/// from the weights themselves, not from the constructor's arguments, so pruned (narrower) layers
/// export as they are; the walk checks that each layer fits the shape reaching it. Dropout is the
/// identity at inference and is left out; batch norm is folded into the convolution before it,
/// with its running statistics.
/// </summary>
internal sealed class ZooGraphWalker
{
    private readonly Dictionary<string, nn.Module> modules;
    private readonly OnnxGraphBuilder builder;
    private readonly string modelKind;
    private readonly List<string> written = [];

    private ZooGraphWalker(nn.Module<Tensor, Tensor> model, OnnxGraphBuilder builder)
    {
        modules = model.named_modules().ToDictionary(entry => entry.name, entry => entry.module, StringComparer.Ordinal);
        this.builder = builder;
        modelKind = model.GetType().Name;
    }

    /// <summary>The kinds this walker knows, as <see cref="ModelFactory.Kinds"/> names them.</summary>
    public static string SupportedKinds => "mlp (Mlp), small-cnn (SmallCnn), lenet5 (LeNet5), resnet8 and resnet20 (ResNetCifar)";

    /// <summary>
    /// The module names of the Conv2d and Linear layers in network order: the layers an int8
    /// export quantizes and whose input ranges a calibration must give.
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not of a kind the exporter knows.</exception>
    public static IReadOnlyList<string> QuantizableLayers(nn.Module<Tensor, Tensor> model)
    {
        EnsureSupported(model);
        var modules = model.named_modules().ToDictionary(entry => entry.name, entry => entry.module, StringComparer.Ordinal);
        return model switch
        {
            Mlp => MlpChildren(modules).Where(name => modules[name] is Linear).ToArray(),
            SmallCnn => ["conv1", "conv2", "fc1", "fc2"],
            LeNet5 => ["conv1", "conv2", "fc1", "fc2", "fc3"],
            _ => [
                "conv1",
                .. ResidualBlocks(modules).SelectMany(block => modules.ContainsKey($"{block}.shortcut.0")
                    ? new[] { $"{block}.conv1", $"{block}.conv2", $"{block}.shortcut.0" }
                    : [$"{block}.conv1", $"{block}.conv2"]),
                "fc",
            ],
        };
    }

    /// <summary>
    /// Writes <paramref name="model"/> from the graph input <paramref name="input"/> (one example of
    /// shape <paramref name="exampleShape"/>) to the tensor <paramref name="output"/>, and returns the
    /// number of logits.
    /// </summary>
    public static long Write(nn.Module<Tensor, Tensor> model, long[] exampleShape, OnnxGraphBuilder builder, string input, string output)
    {
        EnsureSupported(model);
        var walker = new ZooGraphWalker(model, builder);
        var x = new Activation(input, exampleShape);
        var logits = model switch
        {
            Mlp => walker.WriteMlp(x, output),
            SmallCnn => walker.WriteConvolutionalClassifier(x, ["conv1", "conv2"], ["fc1", "fc2"], output),
            LeNet5 => walker.WriteConvolutionalClassifier(x, ["conv1", "conv2"], ["fc1", "fc2", "fc3"], output),
            ResNetCifar => walker.WriteResNet(x, output),
            _ => throw new InvalidOperationException("Unreachable: the kind was checked."),
        };
        // Every Conv2d and Linear must be in the graph, or a layer of an unexpected variant was skipped.
        var expected = model.named_modules().Where(entry => entry.module is Conv2d or Linear).Select(entry => entry.name).Order(StringComparer.Ordinal);
        if (!walker.written.Order(StringComparer.Ordinal).SequenceEqual(expected) || !walker.written.SequenceEqual(QuantizableLayers(model)))
            throw new NotSupportedException($"ONNX export of {walker.modelKind}: the model's layers ({string.Join(", ", expected)}) are not the ones its kind has ({string.Join(", ", walker.written)}).");
        return logits.Shape[0];
    }

    private static void EnsureSupported(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not (Mlp or SmallCnn or LeNet5 or ResNetCifar))
            throw new NotSupportedException($"ONNX export supports the zoo's {SupportedKinds}; {model.GetType().Name} is not one of them.");
    }

    /// <summary>Flatten, then Linear and ReLU in the order of the <c>layers</c> sequence.</summary>
    private Activation WriteMlp(Activation x, string output)
    {
        var children = MlpChildren(modules);
        var lastLinear = children.Last(name => modules[name] is Linear);
        foreach (var name in children)
        {
            x = modules[name] switch
            {
                TorchSharp.Modules.Flatten => Flatten(x),
                Linear => Gemm(x, name, name == lastLinear ? output : null),
                ReLU => Relu(x),
                Dropout => x,
                var other => throw new NotSupportedException($"ONNX export of {modelKind}: layer '{name}' is a {other.GetType().Name}, which the exporter does not know."),
            };
        }
        return x;
    }

    /// <summary>conv-ReLU-pool for each convolution, flatten, then Linear-ReLU with no ReLU after the last.</summary>
    private Activation WriteConvolutionalClassifier(Activation x, string[] convolutions, string[] linears, string output)
    {
        RequireRank(x, 3);
        foreach (var name in convolutions) x = MaxPool(Relu(Conv(x, name, batchNorm: null)), 2);
        x = Flatten(x);
        for (var i = 0; i < linears.Length; i++)
        {
            var last = i == linears.Length - 1;
            x = Gemm(x, linears[i], last ? output : null);
            if (!last) x = Relu(x);
        }
        return x;
    }

    /// <summary>conv-BN-ReLU, the residual stages, global average pooling, then the classifier.</summary>
    private Activation WriteResNet(Activation x, string output)
    {
        RequireRank(x, 3);
        x = Relu(Conv(x, "conv1", "bn1"));
        foreach (var prefix in ResidualBlocks(modules))
        {
            var residual = Relu(Conv(x, $"{prefix}.conv1", $"{prefix}.bn1"));
            residual = Conv(residual, $"{prefix}.conv2", $"{prefix}.bn2");
            var shortcut = modules.ContainsKey($"{prefix}.shortcut.0") ? Conv(x, $"{prefix}.shortcut.0", $"{prefix}.shortcut.1") : x;
            if (!residual.Shape.SequenceEqual(shortcut.Shape))
                throw new ArgumentException($"ONNX export of {modelKind}: block '{prefix}' adds a residual of shape {Format(residual.Shape)} to a shortcut of shape {Format(shortcut.Shape)}.");
            x = Relu(new Activation(builder.Add(residual.Name, shortcut.Name), residual.Shape));
        }
        x = new Activation(builder.GlobalAveragePool(x.Name), [x.Shape[0], 1, 1]);
        return Gemm(Flatten(x), "fc", output);
    }

    /// <summary>The children of an mlp's <c>layers</c> sequence (layers.0, layers.1, ...) in order.</summary>
    private static string[] MlpChildren(Dictionary<string, nn.Module> modules) =>
        modules.Keys
            .Where(name => name.StartsWith("layers.", StringComparison.Ordinal) && !name[7..].Contains('.'))
            .OrderBy(name => int.Parse(name[7..], CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>The residual blocks of a resnet in network order: layer1.0, layer1.1, ..., layer3.n.</summary>
    private static IEnumerable<string> ResidualBlocks(Dictionary<string, nn.Module> modules)
    {
        for (var stage = 1; modules.ContainsKey($"layer{stage}"); stage++)
            for (var block = 0; modules.ContainsKey($"layer{stage}.{block}"); block++)
                yield return $"layer{stage}.{block}";
    }

    private Activation Conv(Activation x, string name, string? batchNorm)
    {
        var conv = Module<Conv2d>(name);
        RequireRank(x, 3);
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"ONNX export of {modelKind}: layer '{name}' pads with {conv.padding_mode}; only zero padding is supported.");
        var layer = Weights(name, conv.weight, conv.bias);
        written.Add(name);
        if (batchNorm is not null) layer = FoldBatchNorm(layer, Module<BatchNorm2d>(batchNorm), batchNorm);
        var groups = conv.groups;
        if (layer.Shape[1] * groups != x.Shape[0])
            throw new ArgumentException($"ONNX export of {modelKind}: layer '{name}' takes {layer.Shape[1] * groups} channels but receives {x.Shape[0]} (shape {Format(x.Shape)}).");
        var stride = conv.stride;
        var dilation = conv.dilation;
        var padding = conv.padding ?? throw new NotSupportedException($"ONNX export of {modelKind}: layer '{name}' uses symbolic padding ({conv.padding_type}); only explicit padding is supported.");
        var side = new long[2];
        for (var axis = 0; axis < 2; axis++)
        {
            var kernel = layer.Shape[2 + axis];
            side[axis] = (x.Shape[1 + axis] + 2 * padding[axis] - dilation[axis] * (kernel - 1) - 1) / stride[axis] + 1;
            if (side[axis] < 1)
                throw new ArgumentException($"ONNX export of {modelKind}: layer '{name}' receives a map of shape {Format(x.Shape)}, too small for its {kernel}-wide kernel.");
        }
        var result = builder.Conv(x.Name, layer, stride, padding, dilation, groups);
        return new Activation(result, [layer.OutputChannels, side[0], side[1]]);
    }

    private Activation Gemm(Activation x, string name, string? output)
    {
        var linear = Module<Linear>(name);
        var layer = Weights(name, linear.weight, linear.bias);
        written.Add(name);
        if (x.Shape.Length != 1 || layer.Shape[1] != x.Shape[0])
            throw new ArgumentException($"ONNX export of {modelKind}: layer '{name}' takes {layer.Shape[1]} features but receives shape {Format(x.Shape)}.");
        return new Activation(builder.Gemm(x.Name, layer, output), [layer.OutputChannels]);
    }

    private Activation Relu(Activation x) => new(builder.Relu(x.Name), x.Shape);

    private Activation Flatten(Activation x) => new(builder.Flatten(x.Name), [x.Shape.Aggregate(1L, (product, dimension) => checked(product * dimension))]);

    private Activation MaxPool(Activation x, long kernel)
    {
        if (x.Shape[1] < kernel || x.Shape[2] < kernel)
            throw new ArgumentException($"ONNX export of {modelKind}: a {kernel}×{kernel} max pooling receives a map of shape {Format(x.Shape)}.");
        return new Activation(builder.MaxPool(x.Name, kernel, kernel), [x.Shape[0], x.Shape[1] / kernel, x.Shape[2] / kernel]);
    }

    private T Module<T>(string name) where T : nn.Module =>
        modules.TryGetValue(name, out var module)
            ? module as T ?? throw new NotSupportedException($"ONNX export of {modelKind}: layer '{name}' is a {module.GetType().Name}, expected {typeof(T).Name}.")
            : throw new NotSupportedException($"ONNX export of {modelKind}: the model has no layer '{name}'.");

    private void RequireRank(Activation x, int rank)
    {
        if (x.Shape.Length != rank)
            throw new ArgumentException($"ONNX export of {modelKind}: the input shape must be [channels, height, width] for one example (no batch dimension); got {Format(x.Shape)}.");
    }

    private static LayerWeights Weights(string name, Tensor weight, Tensor? bias) =>
        new(name, Values(weight), weight.shape, bias is null ? null : Values(bias));

    /// <summary>
    /// Folds inference-mode batch norm into the convolution before it: each output channel o is
    /// scaled by γ_o / √(var_o + ε) and shifted to β_o + (b_o − mean_o)·γ_o / √(var_o + ε).
    /// </summary>
    private static LayerWeights FoldBatchNorm(LayerWeights conv, BatchNorm2d norm, string normName)
    {
        var channels = checked((int)conv.OutputChannels);
        var mean = norm.running_mean is { } runningMean ? Values(runningMean) : null;
        var variance = norm.running_var is { } runningVariance ? Values(runningVariance) : null;
        if (mean is null || variance is null)
            throw new NotSupportedException($"ONNX export: batch norm '{normName}' keeps no running statistics, so it has no inference form to fold.");
        if (mean.Length != channels)
            throw new ArgumentException($"ONNX export: batch norm '{normName}' has {mean.Length} channels but follows a convolution with {channels}.");
        var gamma = norm.weight is { } normWeight ? Values(normWeight) : null;
        var beta = norm.bias is { } normBias ? Values(normBias) : null;
        var weight = new float[conv.Weight.Length];
        var bias = new float[channels];
        var perChannel = conv.Weight.Length / channels;
        for (var channel = 0; channel < channels; channel++)
        {
            var factor = (gamma?[channel] ?? 1.0) / Math.Sqrt(variance[channel] + norm.eps);
            for (var i = channel * perChannel; i < (channel + 1) * perChannel; i++) weight[i] = (float)(conv.Weight[i] * factor);
            bias[channel] = (float)(((conv.Bias?[channel] ?? 0.0) - mean[channel]) * factor + (beta?[channel] ?? 0.0));
        }
        return conv with { Weight = weight, Bias = bias };
    }

    private static float[] Values(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>A tensor of the graph and the shape of one example of it (no batch dimension).</summary>
    private sealed record Activation(string Name, long[] Shape);
}
