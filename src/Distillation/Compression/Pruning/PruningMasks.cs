using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>
/// Which weights of a model's prunable layers (Conv2d and Linear) are pruned, kept so that
/// fine-tuning cannot bring them back: <see cref="Apply"/> zeroes them again, and a trainer calls
/// it after every optimizer step (see <c>Trainer.Train</c>'s <c>afterOptimizerStep</c>).
/// </summary>
/// <remarks>
/// Re-zeroing after the step, rather than masking gradients, is what keeps the weights at zero
/// under every optimizer: Adam's moments and weight decay move a weight whose gradient is zero.
/// The masks refer to the model's layers, not to their parameter tensors, so they survive the
/// model being moved to another device; a mask follows its weight there on the next
/// <see cref="Apply"/>. The masks own native tensors: dispose them when fine-tuning is over.
/// </remarks>
public sealed class PruningMasks : IDisposable
{
    private readonly (string Name, nn.Module Module)[] _layers;
    private readonly Tensor[] _pruned;
    private readonly long[] _prunedCounts;
    private bool _disposed;

    /// <summary>Takes ownership of one boolean mask per layer (true: pruned), each shaped like the layer's weight and outside any dispose scope.</summary>
    internal PruningMasks(IReadOnlyList<(string Name, nn.Module Module)> layers, IReadOnlyList<Tensor> pruned)
    {
        if (layers.Count != pruned.Count) throw new ArgumentException($"{pruned.Count} masks for {layers.Count} layers.", nameof(pruned));
        _layers = layers.ToArray();
        _pruned = pruned.ToArray();
        _prunedCounts = _pruned.Select(PrunableLayers.CountNonzero).ToArray();
        PrunedPerLayer = _layers.Select((layer, i) => (layer.Name, Count: _prunedCounts[i]))
            .ToDictionary(pair => pair.Name, pair => pair.Count, StringComparer.Ordinal);
    }

    /// <summary>
    /// Masks that keep every weight of <paramref name="model"/>'s Conv2d and Linear layers that is
    /// zero now at zero, owned by the caller: for training a model pruned earlier (say, loaded
    /// from a file, or quantization-aware training after <see cref="StudentPruner"/>) without
    /// losing its sparsity. The weights are not changed.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no Conv2d or Linear layer.</exception>
    public static PruningMasks KeepZeros(nn.Module model)
    {
        var layers = RequireLayers(model);
        using var noGrad = torch.no_grad();
        var masks = layers.Select(layer => PrunableLayers.Weight(layer.Module).detach().eq(0).DetachFromDisposeScope()).ToArray();
        return new PruningMasks(layers, masks);
    }

    /// <summary>The masked layers, named as in the model's state dict (their weights are <c>NAME.weight</c>), in network order.</summary>
    public IReadOnlyList<string> LayerNames => _layers.Select(layer => layer.Name).ToArray();

    /// <summary>Number of pruned weights per layer name.</summary>
    public IReadOnlyDictionary<string, long> PrunedPerLayer { get; }

    /// <summary>Number of pruned weights over all layers.</summary>
    public long PrunedCount => _prunedCounts.Sum();

    /// <summary>
    /// Masks every weight of <paramref name="model"/>'s Conv2d and Linear layers that is exactly
    /// zero now, e.g. to keep fine-tuning a model that was pruned and saved earlier. The caller
    /// owns the result.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no Conv2d or Linear layer.</exception>
    public static PruningMasks FromZeroWeights(nn.Module model)
    {
        var layers = RequireLayers(model);
        using var noGrad = torch.no_grad();
        var masks = layers.Select(layer => PrunableLayers.Weight(layer.Module).eq(0).DetachFromDisposeScope()).ToArray();
        return new PruningMasks(layers, masks);
    }

    /// <summary>A copy of the mask of layer <paramref name="layer"/> (true where pruned), on the CPU, owned by the caller.</summary>
    /// <exception cref="KeyNotFoundException">No layer of that name is masked.</exception>
    public Tensor MaskOf(string layer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = Array.FindIndex(_layers, entry => entry.Name == layer);
        if (index < 0) throw new KeyNotFoundException($"No masked layer is named '{layer}'; masked: {string.Join(", ", LayerNames)}.");
        // cpu() may hand back the mask itself when it is already there; clone so the caller never owns ours.
        var mask = _pruned[index];
        return mask.device_type == DeviceType.CPU ? mask.clone() : mask.cpu();
    }

    /// <summary>Sets every pruned weight back to zero, in place and outside autograd.</summary>
    /// <exception cref="ObjectDisposedException">The masks were disposed.</exception>
    public void Apply()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _layers.Length; i++)
        {
            var weight = PrunableLayers.Weight(_layers[i].Module);
            if (_pruned[i].device_type != weight.device_type || _pruned[i].device_index != weight.device_index)
            {
                // Detached: Apply may run inside a trainer step's scope, which must not free the mask.
                var moved = _pruned[i].to(weight.device).DetachFromDisposeScope();
                _pruned[i].Dispose();
                _pruned[i] = moved;
            }
            weight.masked_fill_(_pruned[i], 0);
        }
    }

    /// <summary>Frees the masks; the model keeps its weights.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var mask in _pruned) mask.Dispose();
    }

    internal static IReadOnlyList<(string Name, nn.Module Module)> RequireLayers(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = PrunableLayers.Find(model);
        if (layers.Count == 0)
            throw new ArgumentException($"{model.GetType().Name} has no Conv2d or Linear layer to prune.", nameof(model));
        return layers;
    }
}
