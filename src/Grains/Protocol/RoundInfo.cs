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
public sealed record RoundInfo(
    int Round,
    RoundState State,
    RoundSettings Settings,
    DateTimeOffset OpenedAt,
    DateTimeOffset Deadline,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<string> Uploaded,
    RoundResult? Result,
    string? FailureReason,
    double? DistillProgress = null);
