namespace FedDistill.Distillation.Data;

/// <summary>
/// Splits examples uniformly at random into parts whose sizes differ by at most one, ignoring
/// labels: the IID baseline, where every client sees the global label distribution in expectation.
/// </summary>
public sealed class IidPartitioner : IDatasetPartitioner
{
    /// <summary>The name <see cref="PartitionerFactory"/> knows this partitioner by.</summary>
    public const string Name = "iid";

    /// <inheritdoc />
    /// <remarks>The first <c>n mod parts</c> parts get one extra example.</remarks>
    public IReadOnlyList<int[]> Partition(IReadOnlyList<int> labels, int classCount, int parts, DeterministicRandom random)
    {
        PartitionArguments.Validate(labels, classCount, parts, random);
        int[] order = Enumerable.Range(0, labels.Count).ToArray();
        random.Shuffle(order.AsSpan());

        var result = new int[parts][];
        int baseSize = order.Length / parts;
        int remainder = order.Length % parts;
        int start = 0;
        for (int part = 0; part < parts; part++)
        {
            int size = baseSize + (part < remainder ? 1 : 0);
            result[part] = order[start..(start + size)];
            Array.Sort(result[part]);
            start += size;
        }

        return result;
    }
}
