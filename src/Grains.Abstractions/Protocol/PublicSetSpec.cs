namespace FedDistill.Grains.Protocol;

/// <summary>
/// Names the shared public set so that every organization can build its own copy from its local
/// copy of the source data, and check it against <see cref="FederationInfo.PublicSetFingerprint"/>.
/// The distillation engine builds and validates it (<c>PublicSetDefinition</c>).
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
    [property: Id(4)] ulong AugmentationSeed = 17);
