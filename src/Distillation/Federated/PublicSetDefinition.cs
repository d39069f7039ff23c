namespace FedDistill.Distillation.Federated;

/// <summary>
/// Names a shared public set so that every member can build its own copy from its local copy of
/// the source data; <see cref="PublicSet.Fingerprint"/> proves the copies are the same.
/// </summary>
/// <param name="Source">The dataset: <c>fashion-mnist-train</c> or <c>fashion-mnist-test</c>.</param>
/// <param name="Start">Index of the first example taken.</param>
/// <param name="Count">Number of consecutive examples taken (at least 1).</param>
/// <param name="AugmentedCopies">
/// Deterministic flipped and shifted copies of each image appended to the public set (0 to 9):
/// every teacher labels them too, so the student gets more soft targets from no private data.
/// </param>
/// <param name="AugmentationSeed">Seed of the copies; part of what the fingerprint covers.</param>
public sealed record PublicSetDefinition(string Source = "fashion-mnist-train", int Start = 50_000, int Count = 10_000, int AugmentedCopies = 2, ulong AugmentationSeed = 17)
{
    /// <summary>Every problem with the definition, naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!DataSources.AllowedSources.Contains(Source ?? string.Empty))
            errors.Add($"PublicSet.Source is '{Source}'; allowed: {string.Join(", ", DataSources.AllowedSources)}.");
        if (Start < 0) errors.Add($"PublicSet.Start is {Start}; it must be at least 0.");
        if (Count < 1) errors.Add($"PublicSet.Count is {Count}; it must be at least 1.");
        if (AugmentedCopies is < 0 or > 9) errors.Add($"PublicSet.AugmentedCopies is {AugmentedCopies}; it must be in [0, 9].");
        return errors;
    }
}
