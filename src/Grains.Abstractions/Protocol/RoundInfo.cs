namespace FedDistill.Grains.Protocol;

/// <summary>A round as the console and dashboard see it.</summary>
/// <param name="Round">Its number.</param>
/// <param name="State">Its state.</param>
/// <param name="Settings">Its settings.</param>
/// <param name="OpenedAt">When it opened.</param>
/// <param name="Deadline">When uploads close.</param>
/// <param name="ClosedAt">When it ended, or null.</param>
/// <param name="Uploaded">Participants whose upload was accepted, in order.</param>
/// <param name="Result">The outcome once completed.</param>
/// <param name="FailureReason">Why it failed or was cancelled.</param>
/// <param name="DistillProgress">While distilling, the student's training progress in [0, 1].</param>
[GenerateSerializer, Immutable]
public sealed record RoundInfo(
    [property: Id(0)] int Round,
    [property: Id(1)] RoundState State,
    [property: Id(2)] RoundSettings Settings,
    [property: Id(3)] DateTimeOffset OpenedAt,
    [property: Id(4)] DateTimeOffset Deadline,
    [property: Id(5)] DateTimeOffset? ClosedAt,
    [property: Id(6)] IReadOnlyList<string> Uploaded,
    [property: Id(7)] RoundResult? Result,
    [property: Id(8)] string? FailureReason,
    [property: Id(9)] double? DistillProgress = null);
