namespace FedDistill.Grains.Protocol;

/// <summary>A participant as the aggregator sees it.</summary>
/// <param name="ParticipantId">Its identity: its organization's silo name.</param>
/// <param name="DisplayName">Its human name.</param>
/// <param name="RegisteredAt">When it was admitted.</param>
/// <param name="LastSeenAt">When it last reported, or null.</param>
/// <param name="LastReport">Its last report, or null.</param>
[GenerateSerializer, Immutable]
public sealed record ParticipantInfo(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] DateTimeOffset RegisteredAt,
    [property: Id(3)] DateTimeOffset? LastSeenAt,
    [property: Id(4)] ParticipantReport? LastReport);
