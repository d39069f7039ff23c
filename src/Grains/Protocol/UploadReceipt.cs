namespace FedDistill.Grains.Protocol;

/// <summary>The aggregator's acknowledgement of an accepted upload: once returned, it is durable.</summary>
/// <param name="Round">The round.</param>
/// <param name="ParticipantId">The uploader.</param>
/// <param name="Sha256">SHA-256 of the body as stored.</param>
/// <param name="Bytes">Body size.</param>
/// <param name="Teachers">Teachers in the upload.</param>
/// <param name="UploadsInRound">Accepted uploads in the round so far, this one included.</param>
public sealed record UploadReceipt(int Round, string ParticipantId, string Sha256, long Bytes, int Teachers, int UploadsInRound);
