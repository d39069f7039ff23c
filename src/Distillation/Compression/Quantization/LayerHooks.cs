using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// Forward hooks on a set of layers, removed together on <see cref="Dispose"/>. A layer is held by
/// at most one such set at a time, so two quantization wrappers (or a wrapper and a calibration)
/// can never quantize the same layer's input twice.
/// </summary>
/// <remarks>
/// TorchSharp runs hooks only when a module is invoked through <c>call()</c>; the model zoo
/// invokes its layers that way, as PyTorch's <c>self.conv1(x)</c> does.
/// </remarks>
internal sealed class LayerHooks : IDisposable
{
    private static readonly ConditionalWeakTable<nn.Module, string> Holders = new();
    private readonly List<nn.Module> _held = [];
    private readonly List<Action> _removers = [];

    private LayerHooks() { }

    /// <summary>Takes hold of <paramref name="layers"/> for <paramref name="holder"/> (a name for messages).</summary>
    /// <exception cref="InvalidOperationException">Another set holds one of the layers.</exception>
    public static LayerHooks Hold(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> layers, string holder)
    {
        var hooks = new LayerHooks();
        try
        {
            foreach (var (name, layer) in layers)
            {
                if (!Holders.TryAdd(layer, holder))
                {
                    Holders.TryGetValue(layer, out var current);
                    throw new InvalidOperationException(
                        $"Layer '{name}' is already hooked by {current}; dispose that first, or the layer's input would be quantized twice.");
                }
                hooks._held.Add(layer);
            }
        }
        catch
        {
            hooks.Dispose();
            throw;
        }
        return hooks;
    }

    /// <summary>Runs <paramref name="hook"/> on the layer's input before its forward; the hook's result replaces the input.</summary>
    public void BeforeForward(nn.Module<Tensor, Tensor> layer, Func<Tensor, Tensor> hook)
    {
        var remover = layer.register_forward_pre_hook((_, input) => hook(input));
        _removers.Add(remover.remove);
    }

    /// <summary>Runs <paramref name="hook"/> on the layer's (possibly replaced) input and output after its forward; the hook's result replaces the output.</summary>
    public void AfterForward(nn.Module<Tensor, Tensor> layer, Func<Tensor, Tensor, Tensor> hook)
    {
        var remover = layer.register_forward_hook((_, input, output) => hook(input, output));
        _removers.Add(remover.remove);
    }

    /// <summary>Removes every hook and lets go of the layers.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
        foreach (var layer in _held) Holders.Remove(layer);
        _held.Clear();
    }
}
