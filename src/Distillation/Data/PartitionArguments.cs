namespace FedDistill.Distillation.Data;

/// <summary>Argument checks shared by the <see cref="IDatasetPartitioner"/> implementations.</summary>
internal static class PartitionArguments
{
    /// <summary>Validates the arguments and returns the labels as an array.</summary>
    public static int[] Validate(IReadOnlyList<int> labels, int classCount, int parts, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        if (labels.Count < parts)
        {
            throw new ArgumentException(
                $"Cannot split {labels.Count} examples into {parts} non-empty parts.", nameof(labels));
        }

        int[] copy = labels.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if ((uint)copy[i] >= (uint)classCount)
            {
                throw new ArgumentException(
                    $"Label {copy[i]} of example {i} is outside [0, {classCount}).", nameof(labels));
            }
        }

        return copy;
    }
}
