namespace FedDistill.Grains.Protocol;

/// <summary>An organization's status report, as <see cref="IRoundObserver"/> subscribers hear of it.</summary>
/// <param name="ParticipantId">The organization.</param>
/// <param name="Report">What it reported: its status, round and progress in [0, 1].</param>
/// <param name="At">When the aggregator received it.</param>
[GenerateSerializer, Immutable]
public sealed record ParticipantProgressNotice(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] ParticipantReport Report,
    [property: Id(2)] DateTimeOffset At);
