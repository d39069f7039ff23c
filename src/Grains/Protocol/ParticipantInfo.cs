namespace FedDistill.Grains.Protocol;

/// <summary>A participant as the aggregator sees it.</summary>
/// <param name="ParticipantId">Its identity.</param>
/// <param name="DisplayName">Its human name.</param>
/// <param name="RegisteredAt">When it was admitted.</param>
/// <param name="LastSeenAt">When it last called, or null.</param>
/// <param name="LastReport">Its last heartbeat, or null.</param>
public sealed record ParticipantInfo(
    string ParticipantId,
    string DisplayName,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? LastSeenAt,
    ParticipantReport? LastReport);
