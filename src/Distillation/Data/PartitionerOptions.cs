namespace FedDistill.Distillation.Data;

/// <summary>
/// Which partitioner splits the private data among clients, and its settings; bound from
/// configuration and turned into an <see cref="IDatasetPartitioner"/> by <see cref="PartitionerFactory"/>.
/// </summary>
public sealed class PartitionerOptions
{
    /// <summary>The partitioner's name: one of <see cref="PartitionerFactory.AllowedNames"/> (case-insensitive).</summary>
    public string Name { get; set; } = IidPartitioner.Name;

    /// <summary>The Dirichlet concentration α for <c>dirichlet</c>: positive; 0.1 is strongly skewed, 100 nearly IID.</summary>
    public double DirichletAlpha { get; set; } = 0.5;

    /// <summary>The fewest examples a client may receive under <c>dirichlet</c>, at least 0.</summary>
    public int MinPartSize { get; set; } = 10;

    /// <summary>How many partitions <c>dirichlet</c> draws before giving up on <see cref="MinPartSize"/>, at least 1.</summary>
    public int MaxAttempts { get; set; } = DirichletLabelSkewPartitioner.DefaultMaxAttempts;

    /// <summary>Label-sorted shards per client under <c>shards</c>, at least 1.</summary>
    public int ShardsPerPart { get; set; } = 2;

    /// <summary>The problems with these settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!PartitionerFactory.AllowedNames.Contains(Name?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(
                $"{nameof(PartitionerOptions)}.{nameof(Name)} is '{Name}'; allowed: {string.Join(", ", PartitionerFactory.AllowedNames)}.");
        }

        if (!(DirichletAlpha > 0.0) || double.IsPositiveInfinity(DirichletAlpha))
        {
            errors.Add($"{nameof(PartitionerOptions)}.{nameof(DirichletAlpha)} must be positive and finite; got {DirichletAlpha}.");
        }

        if (MinPartSize < 0)
        {
            errors.Add($"{nameof(PartitionerOptions)}.{nameof(MinPartSize)} must be at least 0; got {MinPartSize}.");
        }

        if (MaxAttempts < 1)
        {
            errors.Add($"{nameof(PartitionerOptions)}.{nameof(MaxAttempts)} must be at least 1; got {MaxAttempts}.");
        }

        if (ShardsPerPart < 1)
        {
            errors.Add($"{nameof(PartitionerOptions)}.{nameof(ShardsPerPart)} must be at least 1; got {ShardsPerPart}.");
        }

        return errors;
    }
}
