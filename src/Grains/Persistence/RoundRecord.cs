namespace FedDistill.Grains.Persistence;

/// <summary>One round of the federation as stored.</summary>
/// <param name="RoundNumber">1-based, increasing.</param>
/// <param name="State">The round's state name (see the aggregator's round states), e.g. <c>open</c>.</param>
/// <param name="SettingsJson">The round's settings (strategy, temperature, quorum, deadline, budget) as JSON.</param>
/// <param name="OpenedAt">When the round opened.</param>
/// <param name="Deadline">When uploads stop being accepted.</param>
/// <param name="ClosedAt">When it completed, failed or was cancelled; null while running.</param>
/// <param name="ResultJson">The round's outcome (student version, accuracy, timings, bytes) as JSON, or null.</param>
/// <param name="FailureReason">Why it failed or was cancelled, or null.</param>
public sealed record RoundRecord(
    int RoundNumber,
    string State,
    string SettingsJson,
    DateTimeOffset OpenedAt,
    DateTimeOffset Deadline,
    DateTimeOffset? ClosedAt,
    string? ResultJson,
    string? FailureReason);
