namespace FedDistill.Grains.Protocol;

/// <summary>The aggregator's acknowledgement of an accepted upload: once returned, it is durable.</summary>
/// <param name="Round">The round.</param>
/// <param name="ParticipantId">The uploader.</param>
/// <param name="Sha256">SHA-256 of the payload as stored.</param>
/// <param name="Bytes">Payload size.</param>
/// <param name="Teachers">Teachers in the upload.</param>
/// <param name="UploadsInRound">Accepted uploads in the round so far, this one included.</param>
[GenerateSerializer, Immutable]
public sealed record UploadReceipt(
    [property: Id(0)] int Round,
    [property: Id(1)] string ParticipantId,
    [property: Id(2)] string Sha256,
    [property: Id(3)] long Bytes,
    [property: Id(4)] int Teachers,
    [property: Id(5)] int UploadsInRound);
