namespace FedDistill.Grains.Protocol;

/// <summary>Co-distillation work for one teacher: fit the consensus, then revisit the private data.</summary>
/// <param name="PublicSet">The public set the consensus is on.</param>
/// <param name="Fingerprint">Its fingerprint.</param>
/// <param name="Consensus">N × C consensus logits, row-major.</param>
/// <param name="Temperature">The KD temperature.</param>
/// <param name="DigestEpochs">Epochs on the consensus.</param>
/// <param name="RevisitEpochs">Epochs on the private data afterwards (0: none).</param>
/// <param name="Seed">Seed of the batch order.</param>
[GenerateSerializer, Immutable]
public sealed record DigestRequest(
    [property: Id(0)] PublicSetSpec PublicSet,
    [property: Id(1)] string Fingerprint,
    [property: Id(2)] float[] Consensus,
    [property: Id(3)] double Temperature,
    [property: Id(4)] int DigestEpochs,
    [property: Id(5)] int RevisitEpochs,
    [property: Id(6)] ulong Seed);
