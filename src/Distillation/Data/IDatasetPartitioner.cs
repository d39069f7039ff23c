namespace FedDistill.Distillation.Data;

/// <summary>
/// Splits a dataset's examples among federated clients: the contract for IID, label-skewed and
/// sharded splits, each one class, chosen by name through <see cref="PartitionerFactory"/>.
/// </summary>
public interface IDatasetPartitioner
{
    /// <summary>
    /// Assigns every example index to exactly one of <paramref name="parts"/> parts.
    /// </summary>
    /// <param name="labels">The label of each example, in <c>[0, classCount)</c>; only its length matters to label-blind partitioners.</param>
    /// <param name="classCount">Number of classes, at least 1.</param>
    /// <param name="parts">Number of parts (clients), at least 1.</param>
    /// <param name="random">The source of randomness; the same generator state gives the same partition.</param>
    /// <returns>
    /// <paramref name="parts"/> new arrays of example indices, each sorted ascending; together
    /// they hold every index in <c>[0, labels.Count)</c> exactly once. The caller owns them.
    /// </returns>
    /// <exception cref="ArgumentException">The arguments are out of range or too few examples for the parts.</exception>
    /// <exception cref="InvalidOperationException">The partitioner's constraints could not be met (see the implementation).</exception>
    IReadOnlyList<int[]> Partition(IReadOnlyList<int> labels, int classCount, int parts, DeterministicRandom random);
}
