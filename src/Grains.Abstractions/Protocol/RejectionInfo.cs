namespace FedDistill.Grains.Protocol;

/// <summary>A request the federation refused.</summary>
/// <param name="At">When.</param>
/// <param name="ParticipantId">Who it came from, when known.</param>
/// <param name="Round">The round it named, if any.</param>
/// <param name="Reason">The kebab-case reason, e.g. <c>wrong-shape</c>.</param>
/// <param name="Detail">The message the sender got.</param>
[GenerateSerializer, Immutable]
public sealed record RejectionInfo(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string? ParticipantId,
    [property: Id(2)] int? Round,
    [property: Id(3)] string Reason,
    [property: Id(4)] string Detail);
