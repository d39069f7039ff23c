namespace FedDistill.Distillation.Data;

/// <summary>
/// Chooses an <see cref="IDatasetPartitioner"/> by name, so a configuration file can select the
/// federated split; a new partitioner is one class plus one line here.
/// </summary>
public static class PartitionerFactory
{
    /// <summary>The names <see cref="Create(string, PartitionerOptions?)"/> accepts: <c>iid</c>, <c>dirichlet</c>, <c>shards</c>.</summary>
    public static IReadOnlyList<string> AllowedNames { get; } =
        Array.AsReadOnly([IidPartitioner.Name, DirichletLabelSkewPartitioner.Name, ShardPartitioner.Name]);

    /// <summary>Creates the partitioner that <paramref name="options"/> names, with its settings.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each offending property.</exception>
    public static IDatasetPartitioner Create(PartitionerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.Name, options);
    }

    /// <summary>Creates the partitioner called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">One of <see cref="AllowedNames"/>.</param>
    /// <param name="options">Settings for the partitioner; defaults when <see langword="null"/>. Its <see cref="PartitionerOptions.Name"/> is ignored.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the allowed names) or a setting is invalid.</exception>
    public static IDatasetPartitioner Create(string name, PartitionerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new PartitionerOptions();
        string normalized = name.Trim().ToLowerInvariant();
        if (!AllowedNames.Contains(normalized))
        {
            throw new ArgumentException(
                $"Unknown partitioner '{name}'; allowed: {string.Join(", ", AllowedNames)}.", nameof(name));
        }

        var settings = new PartitionerOptions
        {
            Name = normalized,
            DirichletAlpha = options.DirichletAlpha,
            MinPartSize = options.MinPartSize,
            MaxAttempts = options.MaxAttempts,
            ShardsPerPart = options.ShardsPerPart,
        };
        IReadOnlyList<string> errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        return normalized switch
        {
            IidPartitioner.Name => new IidPartitioner(),
            DirichletLabelSkewPartitioner.Name =>
                new DirichletLabelSkewPartitioner(settings.DirichletAlpha, settings.MinPartSize, settings.MaxAttempts),
            _ => new ShardPartitioner(settings.ShardsPerPart),
        };
    }
}
