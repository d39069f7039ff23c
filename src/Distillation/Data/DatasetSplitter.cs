namespace FedDistill.Distillation.Data;

/// <summary>
/// Cuts a dataset into public, private and test sets at random but reproducibly: the same
/// dataset and seed give the same split on every machine.
/// </summary>
/// <remarks>
/// The examples are shuffled with a <see cref="DeterministicRandom"/> seeded with the given seed;
/// the first <c>publicCount</c> of the shuffled order form the public set, the next
/// <c>privateCount</c> the private set, the next <c>testCount</c> the test set, and any rest is
/// left out. Within each set the examples keep their original relative order. Not stratified.
/// </remarks>
public static class DatasetSplitter
{
    /// <summary>Splits by example counts.</summary>
    /// <param name="dataset">The dataset to split; it is not modified.</param>
    /// <param name="publicCount">Examples in the public set, at least 0.</param>
    /// <param name="privateCount">Examples in the private set, at least 0.</param>
    /// <param name="testCount">Examples in the test set, at least 0.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <returns>Three new datasets holding copies of the examples.</returns>
    /// <exception cref="ArgumentException">A count is negative or together they exceed the dataset.</exception>
    public static DataSplit Split(Dataset dataset, int publicCount, int privateCount, int testCount, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (publicIndices, privateIndices, testIndices) = SplitIndices(dataset.Count, publicCount, privateCount, testCount, seed);
        return new DataSplit(dataset.Subset(publicIndices), dataset.Subset(privateIndices), dataset.Subset(testIndices));
    }

    /// <summary>
    /// The example indices <see cref="Split"/> puts in each set, each set's in ascending order: what
    /// another program (a PyTorch reference script) needs to use the same public split.
    /// </summary>
    /// <param name="count">Examples in the dataset, at least 0.</param>
    /// <param name="publicCount">Examples in the public set, at least 0.</param>
    /// <param name="privateCount">Examples in the private set, at least 0.</param>
    /// <param name="testCount">Examples in the test set, at least 0.</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <returns>Three new index arrays into the dataset.</returns>
    /// <exception cref="ArgumentException">A count is negative or together they exceed <paramref name="count"/>.</exception>
    public static (int[] Public, int[] Private, int[] Test) SplitIndices(int count, int publicCount, int privateCount, int testCount, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(publicCount);
        ArgumentOutOfRangeException.ThrowIfNegative(privateCount);
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        long total = (long)publicCount + privateCount + testCount;
        if (total > count)
        {
            throw new ArgumentException(
                $"A split of {publicCount} public + {privateCount} private + {testCount} test examples needs {total}; " +
                $"the dataset has {count}.");
        }

        int[] order = Enumerable.Range(0, count).ToArray();
        new DeterministicRandom(seed).Shuffle(order.AsSpan());
        return (Take(order, 0, publicCount), Take(order, publicCount, privateCount), Take(order, publicCount + privateCount, testCount));
    }

    /// <summary>
    /// Splits by fractions of the dataset: each count is the fraction times the dataset size,
    /// rounded down, except that when the fractions sum to 1 the private set also takes the
    /// examples rounding left over, so that no example is dropped.
    /// </summary>
    /// <param name="dataset">The dataset to split; it is not modified.</param>
    /// <param name="publicFraction">Share for the public set, in [0, 1].</param>
    /// <param name="privateFraction">Share for the private set, in [0, 1].</param>
    /// <param name="testFraction">Share for the test set, in [0, 1].</param>
    /// <param name="seed">The seed of the shuffle.</param>
    /// <returns>Three new datasets holding copies of the examples.</returns>
    /// <exception cref="ArgumentException">A fraction is outside [0, 1] or they sum to more than 1.</exception>
    public static DataSplit SplitByFractions(
        Dataset dataset, double publicFraction, double privateFraction, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        CheckFraction(publicFraction, nameof(publicFraction));
        CheckFraction(privateFraction, nameof(privateFraction));
        CheckFraction(testFraction, nameof(testFraction));
        double sum = publicFraction + privateFraction + testFraction;
        const double tolerance = 1e-9;
        if (sum > 1.0 + tolerance)
        {
            throw new ArgumentException(
                $"The fractions {publicFraction} + {privateFraction} + {testFraction} sum to {sum}, more than 1.");
        }

        int publicCount = (int)Math.Floor(publicFraction * dataset.Count);
        int testCount = (int)Math.Floor(testFraction * dataset.Count);
        int privateCount = Math.Abs(sum - 1.0) <= tolerance
            ? dataset.Count - publicCount - testCount
            : (int)Math.Floor(privateFraction * dataset.Count);
        return Split(dataset, publicCount, privateCount, testCount, seed);
    }

    private static void CheckFraction(double fraction, string parameterName)
    {
        if (!(fraction >= 0.0 && fraction <= 1.0))
        {
            throw new ArgumentOutOfRangeException(parameterName, fraction, "A fraction must lie in [0, 1].");
        }
    }

    private static int[] Take(int[] order, int start, int count)
    {
        int[] indices = order[start..(start + count)];
        Array.Sort(indices);
        return indices;
    }
}
