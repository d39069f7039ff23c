namespace FedDistill.Distillation.Data;

/// <summary>
/// The pathological non-IID split of McMahan et al. (2017): sort the examples by label, cut
/// them into <c>parts × ShardsPerPart</c> equal shards, and deal each part
/// <see cref="ShardsPerPart"/> random shards. With 2 shards per part most clients see only
/// two classes.
/// </summary>
/// <remarks>
/// Examples are shuffled before the stable sort by label, so which examples of a class share a
/// shard is random too. Shard sizes differ by at most one. A part holds at most
/// <c>2 × ShardsPerPart</c> classes whenever every class has at least one shard's worth of examples.
/// </remarks>
public sealed class ShardPartitioner : IDatasetPartitioner
{
    /// <summary>The name <see cref="PartitionerFactory"/> knows this partitioner by.</summary>
    public const string Name = "shards";

    /// <summary>Creates the partitioner.</summary>
    /// <param name="shardsPerPart">Shards dealt to each part, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardsPerPart"/> is below 1.</exception>
    public ShardPartitioner(int shardsPerPart = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardsPerPart);
        ShardsPerPart = shardsPerPart;
    }

    /// <summary>Shards dealt to each part.</summary>
    public int ShardsPerPart { get; }

    /// <inheritdoc />
    public IReadOnlyList<int[]> Partition(IReadOnlyList<int> labels, int classCount, int parts, DeterministicRandom random)
    {
        int[] labelArray = PartitionArguments.Validate(labels, classCount, parts, random);
        long shardCount = (long)parts * ShardsPerPart;
        if (shardCount > labelArray.Length)
        {
            throw new ArgumentException(
                $"{parts} parts of {ShardsPerPart} shards need at least {shardCount} examples; there are only {labelArray.Length}.",
                nameof(labels));
        }

        int[] shuffled = Enumerable.Range(0, labelArray.Length).ToArray();
        random.Shuffle(shuffled.AsSpan());
        int[] sortedByLabel = StableSortByLabel(shuffled, labelArray, classCount);

        int[] shardOrder = Enumerable.Range(0, (int)shardCount).ToArray();
        random.Shuffle(shardOrder.AsSpan());

        var result = new int[parts][];
        for (int part = 0; part < parts; part++)
        {
            var indices = new List<int>();
            for (int k = 0; k < ShardsPerPart; k++)
            {
                int shard = shardOrder[part * ShardsPerPart + k];
                int start = (int)(shard * (long)labelArray.Length / shardCount);
                int end = (int)((shard + 1) * (long)labelArray.Length / shardCount);
                indices.AddRange(sortedByLabel.AsSpan(start, end - start));
            }

            result[part] = indices.ToArray();
            Array.Sort(result[part]);
        }

        return result;
    }

    private static int[] StableSortByLabel(int[] indices, int[] labels, int classCount)
    {
        // Counting sort: stable, so the shuffled order survives within each class.
        var starts = new int[classCount + 1];
        foreach (int index in indices)
        {
            starts[labels[index] + 1]++;
        }

        for (int k = 0; k < classCount; k++)
        {
            starts[k + 1] += starts[k];
        }

        var sorted = new int[indices.Length];
        foreach (int index in indices)
        {
            sorted[starts[labels[index]]++] = index;
        }

        return sorted;
    }
}
