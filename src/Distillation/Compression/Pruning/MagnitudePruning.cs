using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>
/// Unstructured magnitude pruning (Han et al. 2015): zeroes the weights of smallest absolute
/// value in a model's Conv2d and Linear layers, either with one threshold over all of them
/// (<see cref="Global"/>) or to the same sparsity in each layer (<see cref="PerLayer"/>).
/// </summary>
/// <remarks>
/// The model keeps its shape; the zeros only pay off with sparse storage or kernels. The number
/// pruned is round(sparsity × weights) (ties to even, as PyTorch's <c>torch.nn.utils.prune</c>
/// rounds), so the target is met exactly; among weights of equal magnitude the earlier ones (in
/// network order, then row-major) are pruned first. Biases and batch norm are never pruned.
/// </remarks>
public static class MagnitudePruning
{
    /// <summary>
    /// Zeroes the round(<paramref name="sparsity"/> × N) weights of smallest magnitude among all N
    /// weights of the Conv2d and Linear layers, wherever they are, and returns the masks (owned
    /// by the caller) that keep them zero. Layers whose weights are small lose more than others.
    /// </summary>
    /// <param name="model">Pruned in place.</param>
    /// <param name="sparsity">Share of the prunable weights to zero, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sparsity"/> is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The model has no Conv2d or Linear layer.</exception>
    public static PruningMasks Global(nn.Module model, double sparsity)
    {
        CheckSparsity(sparsity);
        var layers = PruningMasks.RequireLayers(model);
        var sizes = layers.Select(layer => PrunableLayers.Weight(layer.Module).numel()).ToArray();
        var masks = new Tensor[layers.Count];
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var magnitudes = torch.cat(layers.Select(layer => PrunableLayers.Weight(layer.Module).detach().abs().flatten()).ToList(), 0);
            var pruned = SmallestMask(magnitudes, PrunedCount(magnitudes.numel(), sparsity));
            long offset = 0;
            for (var i = 0; i < layers.Count; i++)
            {
                var shape = PrunableLayers.Weight(layers[i].Module).shape;
                masks[i] = pruned.narrow(0, offset, sizes[i]).reshape(shape).clone().DetachFromDisposeScope();
                offset += sizes[i];
            }
        }
        return ApplyNew(layers, masks);
    }

    /// <summary>
    /// Zeroes, in every Conv2d and Linear layer separately, the round(<paramref name="sparsity"/> × n)
    /// weights of smallest magnitude among its n weights, and returns the masks (owned by the
    /// caller) that keep them zero.
    /// </summary>
    /// <param name="model">Pruned in place.</param>
    /// <param name="sparsity">Share of each layer's weights to zero, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sparsity"/> is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The model has no Conv2d or Linear layer.</exception>
    public static PruningMasks PerLayer(nn.Module model, double sparsity)
    {
        CheckSparsity(sparsity);
        var layers = PruningMasks.RequireLayers(model);
        var masks = new Tensor[layers.Count];
        using (torch.no_grad())
        {
            for (var i = 0; i < layers.Count; i++)
            {
                using var scope = torch.NewDisposeScope();
                var weight = PrunableLayers.Weight(layers[i].Module);
                var magnitudes = weight.detach().abs().flatten();
                masks[i] = SmallestMask(magnitudes, PrunedCount(magnitudes.numel(), sparsity)).reshape(weight.shape).clone().DetachFromDisposeScope();
            }
        }
        return ApplyNew(layers, masks);
    }

    /// <summary>How many of <paramref name="weights"/> weights a target <paramref name="sparsity"/> prunes: round(sparsity × weights), ties to even.</summary>
    public static long PrunedCount(long weights, double sparsity) =>
        (long)Math.Round(sparsity * weights, MidpointRounding.ToEven);

    private static PruningMasks ApplyNew(IReadOnlyList<(string Name, nn.Module Module)> layers, Tensor[] masks)
    {
        var result = new PruningMasks(layers, masks);
        result.Apply();
        return result;
    }

    /// <summary>A boolean vector, true at the <paramref name="count"/> smallest entries of <paramref name="magnitudes"/> (a stable sort breaks ties by position).</summary>
    private static Tensor SmallestMask(Tensor magnitudes, long count)
    {
        var mask = torch.zeros(magnitudes.numel(), dtype: ScalarType.Bool, device: magnitudes.device);
        if (count == 0) return mask;
        var (_, order) = magnitudes.sort(stable: true);
        return mask.index_fill_(0, order.narrow(0, 0, count), true);
    }

    private static void CheckSparsity(double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "The sparsity must lie in [0, 1).");
    }
}
