namespace FedDistill.Grains.Persistence;

/// <summary>One organization taking part in the federation.</summary>
/// <param name="ParticipantId">Its identity: the common name of its client certificate.</param>
/// <param name="DisplayName">A human name (e.g. the hospital's).</param>
/// <param name="RegisteredAt">When an admin added it.</param>
/// <param name="LastSeenAt">When it last called the aggregator, or null if never.</param>
/// <param name="ReportJson">What it last reported of itself (teachers, data size, class counts) as JSON, or null.</param>
public sealed record ParticipantRecord(
    string ParticipantId,
    string DisplayName,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? LastSeenAt,
    string? ReportJson);
