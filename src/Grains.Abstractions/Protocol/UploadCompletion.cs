namespace FedDistill.Grains.Protocol;

/// <summary>Closes an upload: what the sender says it sent, checked against what arrived.</summary>
/// <param name="ParticipantId">The uploading organization.</param>
/// <param name="Round">The round.</param>
/// <param name="Bytes">The payload's total size.</param>
/// <param name="Sha256">The payload's SHA-256, lower-case hex.</param>
/// <param name="Masked">
/// Whether the payload is a secure round's masked ring vector. It must match the round's
/// settings; it tells the aggregator, before it reads the round, whether the completion may
/// interleave with its other requests (a plain upload's storage write may; a masked upload's
/// protocol step may not).
/// </param>
/// <param name="Last">
/// The payload's last piece (1 to <see cref="UploadChunk.MaxBytes"/> bytes, ending at
/// <paramref name="Bytes"/>), sent with the completion instead of by an
/// <see cref="IAggregatorGrain.AppendUploadAsync"/> of its own, so that a payload of one piece
/// takes one call; null when every piece was appended.
/// </param>
[GenerateSerializer, Immutable]
public sealed record UploadCompletion(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] int Round,
    [property: Id(2)] long Bytes,
    [property: Id(3)] string Sha256,
    [property: Id(4)] bool Masked = false,
    [property: Id(5)] byte[]? Last = null);
