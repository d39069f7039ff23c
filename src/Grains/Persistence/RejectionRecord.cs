namespace FedDistill.Grains.Persistence;

/// <summary>A refused request, kept for metrics and the dashboard.</summary>
/// <param name="At">When it was refused.</param>
/// <param name="ParticipantId">Who sent it, when known.</param>
/// <param name="RoundNumber">The round it named, when any.</param>
/// <param name="Reason">A short machine-readable reason, e.g. <c>wrong-shape</c>.</param>
/// <param name="Detail">The message returned to the sender.</param>
public sealed record RejectionRecord(DateTimeOffset At, string? ParticipantId, int? RoundNumber, string Reason, string Detail);
