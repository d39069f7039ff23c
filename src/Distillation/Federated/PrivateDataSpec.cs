using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Federated;

/// <summary>
/// Which private examples an organization holds, for simulations and demos where every
/// organization carves its share out of one local dataset. A real deployment reads its own data;
/// only this spec's loader would change.
/// </summary>
/// <param name="Source">The dataset: <c>fashion-mnist-train</c> or <c>fashion-mnist-test</c>.</param>
/// <param name="Start">First example of the pool that is split among organizations.</param>
/// <param name="Count">Size of the pool.</param>
/// <param name="Partitioner">How the pool is split: <c>iid</c>, <c>dirichlet</c> or <c>shards</c>.</param>
/// <param name="Alpha">Dirichlet concentration α (smaller is more skewed).</param>
/// <param name="Parts">Organizations the pool is split among.</param>
/// <param name="Index">This organization's part, 0-based.</param>
/// <param name="Seed">Seed of the split: every organization must use the same to get disjoint parts.</param>
/// <param name="MinPartSize">Smallest part the Dirichlet split accepts.</param>
public sealed record PrivateDataSpec(
    string Source = "fashion-mnist-train",
    int Start = 0,
    int Count = 50_000,
    string Partitioner = "dirichlet",
    double Alpha = 0.5,
    int Parts = 3,
    int Index = 0,
    ulong Seed = 1,
    int MinPartSize = 2_000)
{
    /// <summary>Every problem with the spec, naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Start < 0) errors.Add($"PrivateDataSpec.Start is {Start}; it must be at least 0.");
        if (Count < 1) errors.Add($"PrivateDataSpec.Count is {Count}; it must be at least 1.");
        if (Parts < 1) errors.Add($"PrivateDataSpec.Parts is {Parts}; it must be at least 1.");
        if (Index < 0 || Index >= Parts) errors.Add($"PrivateDataSpec.Index is {Index}; it must be in [0, {Parts}).");
        if (!(Alpha > 0 && double.IsFinite(Alpha))) errors.Add($"PrivateDataSpec.Alpha is {Alpha}; it must be positive and finite.");
        if (MinPartSize < 1) errors.Add($"PrivateDataSpec.MinPartSize is {MinPartSize}; it must be at least 1.");
        if (!PartitionerFactory.AllowedNames.Contains(Partitioner ?? string.Empty))
            errors.Add($"PrivateDataSpec.Partitioner is '{Partitioner}'; allowed: {string.Join(", ", PartitionerFactory.AllowedNames)}.");
        return errors;
    }

    /// <summary>This organization's labeled examples, normalized with the public set's constants.</summary>
    /// <exception cref="ArgumentException">The spec is invalid or reaches past the source.</exception>
    public Dataset Load(PublicSet publicSet, DataSources sources)
    {
        ArgumentNullException.ThrowIfNull(publicSet);
        ArgumentNullException.ThrowIfNull(sources);
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        var source = sources.Get(Source);
        if ((long)Start + Count > source.Count)
            throw new ArgumentException($"PrivateDataSpec asks for examples [{Start}, {Start + Count}) but {Source} has {source.Count}.");
        var pool = source.Subset(Enumerable.Range(Start, Count).ToArray());
        var partitioner = PartitionerFactory.Create(new PartitionerOptions { Name = Partitioner, DirichletAlpha = Alpha, MinPartSize = MinPartSize });
        var parts = partitioner.Partition(pool.Labels!, pool.ClassCount, Parts, new DeterministicRandom(Seed));
        return publicSet.Normalization.Apply(pool.Subset(parts[Index]));
    }
}
