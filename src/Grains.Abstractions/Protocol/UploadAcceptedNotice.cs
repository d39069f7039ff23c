namespace FedDistill.Grains.Protocol;

/// <summary>An accepted upload, as <see cref="IRoundObserver"/> subscribers hear of it.</summary>
/// <param name="Round">The round.</param>
/// <param name="ParticipantId">The organization that uploaded.</param>
/// <param name="Bytes">The payload's size in bytes.</param>
/// <param name="Teachers">Teachers in the payload (0 for a secure round's masked sum).</param>
/// <param name="Uploads">Accepted uploads in the round, this one included.</param>
/// <param name="At">When it was accepted.</param>
[GenerateSerializer, Immutable]
public sealed record UploadAcceptedNotice(
    [property: Id(0)] int Round,
    [property: Id(1)] string ParticipantId,
    [property: Id(2)] long Bytes,
    [property: Id(3)] int Teachers,
    [property: Id(4)] int Uploads,
    [property: Id(5)] DateTimeOffset At);
