using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>
/// The layers whose weights pruning may zero or remove: every <see cref="Conv2d"/> and
/// <see cref="Linear"/> of a model, by state dict name. Biases and batch norm are left alone:
/// they are few, and zeroing them shifts activations instead of removing connections.
/// </summary>
internal static class PrunableLayers
{
    /// <summary>The model's convolutions and fully connected layers in network order, named as in its state dict (without ".weight").</summary>
    public static IReadOnlyList<(string Name, nn.Module Module)> Find(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<(string, nn.Module)>();
        // A bare layer passed as the model has no name of its own; its weight is just "weight".
        if (IsPrunable(model)) layers.Add((string.Empty, model));
        foreach (var (name, module) in model.named_modules())
            if (name.Length > 0 && IsPrunable(module)) layers.Add((name, module));
        return layers;
    }

    /// <summary>Whether <paramref name="module"/> is a layer whose weights pruning works on.</summary>
    public static bool IsPrunable(nn.Module module) => module is Conv2d or Linear;

    /// <summary>The current weight parameter of a prunable layer (looked up each time: moving a module to another device replaces its parameters).</summary>
    public static Parameter Weight(nn.Module module) => module switch
    {
        Conv2d convolution => convolution.weight ?? throw new InvalidOperationException("The convolution has no weight."),
        Linear linear => linear.weight ?? throw new InvalidOperationException("The linear layer has no weight."),
        _ => throw new ArgumentException($"{module.GetType().Name} is not a Conv2d or Linear layer.", nameof(module)),
    };

    /// <summary>The current bias of a prunable layer, or null when it has none.</summary>
    public static Parameter? Bias(nn.Module module) => module switch
    {
        Conv2d convolution => convolution.bias,
        Linear linear => linear.bias,
        _ => throw new ArgumentException($"{module.GetType().Name} is not a Conv2d or Linear layer.", nameof(module)),
    };

    /// <summary>Name of the layer's weight in the state dict.</summary>
    public static string WeightName(string layer) => layer.Length == 0 ? "weight" : layer + ".weight";

    /// <summary>Number of parameter elements of <paramref name="model"/>, and how many of them are not zero.</summary>
    public static (long Parameters, long Nonzero) CountParameters(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        long parameters = 0, nonzero = 0;
        foreach (var parameter in model.parameters())
        {
            parameters += parameter.numel();
            using var count = parameter.count_nonzero();
            nonzero += count.item<long>();
        }
        return (parameters, nonzero);
    }

    /// <summary>Number of nonzero elements of <paramref name="tensor"/>.</summary>
    public static long CountNonzero(Tensor tensor)
    {
        using var noGrad = torch.no_grad();
        using var count = tensor.count_nonzero();
        return count.item<long>();
    }
}
