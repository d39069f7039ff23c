using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>Finds the layers an int8 export quantizes: every Conv2d and Linear of a model.</summary>
internal static class QuantizableLayers
{
    /// <summary>
    /// The Conv2d and Linear layers of <paramref name="model"/> with their <c>named_modules()</c>
    /// names, in network (depth-first registration) order; a layer registered twice counts once,
    /// under its first name.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="parameterName">The caller's name for the model, for exception messages.</param>
    /// <exception cref="ArgumentException">The model has no such layer, or a Conv2d pads other than with zeros.</exception>
    public static IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> Find(nn.Module<Tensor, Tensor> model, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(model, parameterName);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        // TorchSharp's named_modules() lists all children before any grandchild; walking the
        // children depth first gives the same names in PyTorch's order, close to network order.
        void Visit(nn.Module module, string prefix)
        {
            foreach (var (childName, child) in module.named_children())
            {
                var name = prefix.Length == 0 ? childName : $"{prefix}.{childName}";
                if (child is Conv2d or Linear && seen.Add(child))
                {
                    if (child is Conv2d { padding_mode: not PaddingModes.Zeros } conv)
                        throw new ArgumentException($"Layer '{name}' pads with {conv.padding_mode}; int8 quantization supports zero padding only.", parameterName);
                    layers.Add((name, (nn.Module<Tensor, Tensor>)child));
                }
                Visit(child, name);
            }
        }
        Visit(model, "");
        if (layers.Count == 0)
            throw new ArgumentException($"The model ({model.GetType().Name}) has no Conv2d or Linear layer to quantize.", parameterName);
        return layers;
    }
}
