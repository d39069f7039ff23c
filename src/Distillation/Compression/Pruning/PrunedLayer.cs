namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>What pruning did to one Conv2d or Linear layer's weight.</summary>
/// <param name="Name">The layer's state dict name (its weight is <c>Name.weight</c>).</param>
/// <param name="ShapeBefore">The weight's shape before pruning.</param>
/// <param name="ShapeAfter">The weight's shape after pruning: the same for unstructured pruning, smaller for structured.</param>
/// <param name="NonzeroWeights">Weights of the pruned (and fine-tuned) layer that are not zero.</param>
public sealed record PrunedLayer(string Name, IReadOnlyList<long> ShapeBefore, IReadOnlyList<long> ShapeAfter, long NonzeroWeights)
{
    /// <summary>Number of weights before pruning.</summary>
    public long WeightsBefore => ShapeBefore.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>Number of weights after pruning (fewer only for structured pruning).</summary>
    public long WeightsAfter => ShapeAfter.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>1 − <see cref="NonzeroWeights"/> / <see cref="WeightsBefore"/>: the share of the layer's original weights that are removed or zero.</summary>
    public double Sparsity => WeightsBefore == 0 ? 0 : 1 - (double)NonzeroWeights / WeightsBefore;
}
