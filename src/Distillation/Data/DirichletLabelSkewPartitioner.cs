namespace FedDistill.Distillation.Data;

/// <summary>
/// Label-skewed non-IID split (Hsu et al., 2019; the NIID-Bench recipe): for each class, the
/// share of its examples each part receives is drawn from a symmetric Dirichlet(α). A small α
/// (0.1) gives most clients only a few classes; a large α (100) approaches an IID split.
/// </summary>
/// <remarks>
/// Within a class the examples are shuffled and cut at the cumulative proportions. A draw that
/// leaves some part with fewer than <see cref="MinPartSize"/> examples is discarded and the
/// whole partition redrawn, at most <see cref="MaxAttempts"/> times.
/// </remarks>
public sealed class DirichletLabelSkewPartitioner : IDatasetPartitioner
{
    /// <summary>The name <see cref="PartitionerFactory"/> knows this partitioner by.</summary>
    public const string Name = "dirichlet";

    /// <summary>The default cap on redraws.</summary>
    public const int DefaultMaxAttempts = 1000;

    /// <summary>Creates the partitioner.</summary>
    /// <param name="alpha">The Dirichlet concentration α, positive and finite.</param>
    /// <param name="minPartSize">The fewest examples any part may receive, at least 0.</param>
    /// <param name="maxAttempts">How many partitions to draw before giving up, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public DirichletLabelSkewPartitioner(double alpha, int minPartSize = 1, int maxAttempts = DefaultMaxAttempts)
    {
        if (!(alpha > 0.0) || double.IsPositiveInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The Dirichlet alpha must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(minPartSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAttempts);
        Alpha = alpha;
        MinPartSize = minPartSize;
        MaxAttempts = maxAttempts;
    }

    /// <summary>The Dirichlet concentration α: smaller means more label skew.</summary>
    public double Alpha { get; }

    /// <summary>The fewest examples any part may receive.</summary>
    public int MinPartSize { get; }

    /// <summary>How many partitions are drawn before giving up.</summary>
    public int MaxAttempts { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">
    /// No draw in <see cref="MaxAttempts"/> gave every part at least <see cref="MinPartSize"/> examples.
    /// </exception>
    public IReadOnlyList<int[]> Partition(IReadOnlyList<int> labels, int classCount, int parts, DeterministicRandom random)
    {
        int[] labelArray = PartitionArguments.Validate(labels, classCount, parts, random);
        if ((long)MinPartSize * parts > labelArray.Length)
        {
            throw new ArgumentException(
                $"{parts} parts of at least {MinPartSize} examples need {(long)MinPartSize * parts}; there are only {labelArray.Length}.",
                nameof(labels));
        }

        int[][] byClass = GroupByClass(labelArray, classCount);
        var assigned = new List<int>[parts];
        for (int part = 0; part < parts; part++)
        {
            assigned[part] = [];
        }

        var proportions = new double[parts];
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            foreach (List<int> list in assigned)
            {
                list.Clear();
            }

            foreach (int[] members in byClass)
            {
                int[] shuffled = (int[])members.Clone();
                random.Shuffle(shuffled.AsSpan());
                random.NextDirichlet(Alpha, proportions);
                int start = 0;
                double cumulative = 0.0;
                for (int part = 0; part < parts; part++)
                {
                    cumulative += proportions[part];
                    int end = part == parts - 1
                        ? shuffled.Length
                        : Math.Clamp((int)Math.Floor(cumulative * shuffled.Length), start, shuffled.Length);
                    assigned[part].AddRange(shuffled.AsSpan(start, end - start));
                    start = end;
                }
            }

            if (assigned.All(list => list.Count >= MinPartSize))
            {
                return assigned.Select(list =>
                {
                    int[] indices = list.ToArray();
                    Array.Sort(indices);
                    return indices;
                }).ToArray();
            }
        }

        throw new InvalidOperationException(
            $"A Dirichlet(alpha={Alpha}) label-skew split of {labelArray.Length} examples into {parts} parts left some part " +
            $"with fewer than {MinPartSize} examples in all {MaxAttempts} attempts; lower the minimum part size, raise alpha or use fewer parts.");
    }

    private static int[][] GroupByClass(int[] labels, int classCount)
    {
        var counts = new int[classCount];
        foreach (int label in labels)
        {
            counts[label]++;
        }

        var byClass = new int[classCount][];
        for (int k = 0; k < classCount; k++)
        {
            byClass[k] = new int[counts[k]];
        }

        var filled = new int[classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            byClass[labels[i]][filled[labels[i]]++] = i;
        }

        return byClass;
    }
}
