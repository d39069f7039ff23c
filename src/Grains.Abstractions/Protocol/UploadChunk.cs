namespace FedDistill.Grains.Protocol;

/// <summary>
/// One piece of an organization's soft-label payload. Payloads travel in pieces of at most
/// <see cref="MaxBytes"/> so that no grain message comes near Orleans' message limit, over which a
/// call fails only as a timeout.
/// </summary>
/// <param name="ParticipantId">The uploading organization.</param>
/// <param name="Round">The round.</param>
/// <param name="Offset">Where this piece starts in the payload; pieces arrive in order.</param>
/// <param name="Data">The bytes.</param>
[GenerateSerializer, Immutable]
public sealed record UploadChunk(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] int Round,
    [property: Id(2)] long Offset,
    [property: Id(3)] byte[] Data)
{
    /// <summary>The largest piece: 1 MiB.</summary>
    public const int MaxBytes = 1 << 20;
}
