namespace FedDistill.Grains.Protocol;

/// <summary>
/// Names the shared public set so that every organization can build its own copy from its local
/// copy of the source data, and check it against <see cref="FederationInfo.PublicSetFingerprint"/>.
/// </summary>
/// <param name="Source">The dataset: <c>fashion-mnist-train</c> or <c>fashion-mnist-test</c>.</param>
/// <param name="Start">Index of the first example taken.</param>
/// <param name="Count">Number of consecutive examples taken (at least 1).</param>
/// <param name="AugmentedCopies">
/// Deterministic flipped and shifted copies of each image appended to the public set (0 to 9):
/// every teacher labels them too, so the student gets more soft targets from no private data.
/// </param>
/// <param name="AugmentationSeed">Seed of the copies; part of what the fingerprint covers.</param>
[GenerateSerializer, Immutable]
public sealed record PublicSetSpec(
    [property: Id(0)] string Source = "fashion-mnist-train",
    [property: Id(1)] int Start = 50_000,
    [property: Id(2)] int Count = 10_000,
    [property: Id(3)] int AugmentedCopies = 2,
    [property: Id(4)] ulong AugmentationSeed = 17)
{
    /// <summary>The sources a public set can come from.</summary>
    public static IReadOnlyList<string> AllowedSources { get; } = ["fashion-mnist-train", "fashion-mnist-test"];

    /// <summary>Every problem with the spec, naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!AllowedSources.Contains(Source ?? string.Empty))
            errors.Add($"PublicSetSpec.Source is '{Source}'; allowed: {string.Join(", ", AllowedSources)}.");
        if (Start < 0) errors.Add($"PublicSetSpec.Start is {Start}; it must be at least 0.");
        if (Count < 1) errors.Add($"PublicSetSpec.Count is {Count}; it must be at least 1.");
        if (AugmentedCopies is < 0 or > 9) errors.Add($"PublicSetSpec.AugmentedCopies is {AugmentedCopies}; it must be in [0, 9].");
        return errors;
    }
}
