namespace FedDistill.Distillation.Data;

/// <summary>
/// How one pass over a dataset is cut into mini-batches: the example order of epoch
/// <c>e</c> depends only on the seed and <c>e</c>, so every machine and every restart visits
/// the same batches in the same order.
/// </summary>
/// <remarks>
/// With <see cref="Shuffle"/>, epoch <c>e</c>'s order is a Fisher–Yates shuffle of
/// <c>0 … Count−1</c> by a <see cref="DeterministicRandom"/> seeded with
/// <c>DeterministicRandom.DeriveSeed(seed, e)</c>; without it, the order is <c>0 … Count−1</c>.
/// The order is cut into consecutive batches of <see cref="BatchSize"/>; the last, shorter batch
/// is kept unless <see cref="DropLast"/>.
/// </remarks>
public sealed record BatchPlan
{
    /// <summary>Creates a plan, validating every argument.</summary>
    /// <param name="count">Number of examples, at least 0.</param>
    /// <param name="batchSize">Examples per batch, at least 1.</param>
    /// <param name="shuffle">Whether each epoch visits the examples in a fresh seeded order.</param>
    /// <param name="dropLast">Whether to drop the final batch when it is shorter than <paramref name="batchSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or size is out of range.</exception>
    public BatchPlan(int count, int batchSize, bool shuffle = true, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Count = count;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
    }

    /// <summary>Number of examples in the dataset.</summary>
    public int Count { get; }

    /// <summary>Examples per batch; the last batch may be shorter unless <see cref="DropLast"/>.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch uses a fresh seeded order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a final short batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Number of batches in every epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (int)(((long)Count + BatchSize - 1) / BatchSize);

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples: a permutation of <c>0 … Count−1</c>.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">The epoch number, from 0.</param>
    /// <returns>A new array the caller owns.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public int[] Order(ulong seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int[] order = new int[Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (Shuffle)
        {
            new DeterministicRandom(DeterministicRandom.DeriveSeed(seed, (ulong)epoch)).Shuffle(order.AsSpan());
        }

        return order;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>: each an array of example indices, in visiting order.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">The epoch number, from 0.</param>
    /// <returns>New arrays the caller owns; <see cref="BatchesPerEpoch"/> of them.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public IReadOnlyList<int[]> Batches(ulong seed, int epoch)
    {
        int[] order = Order(seed, epoch);
        var batches = new int[BatchesPerEpoch][];
        for (int b = 0; b < batches.Length; b++)
        {
            int start = b * BatchSize;
            batches[b] = order[start..Math.Min(start + BatchSize, order.Length)];
        }

        return batches;
    }
}
