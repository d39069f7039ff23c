namespace FedDistill.Grains.Protocol;

/// <summary>A participant's heartbeat: who it is now and what it is doing.</summary>
/// <param name="Status">What it is doing, e.g. <c>idle</c>, <c>training</c>, <c>computing-logits</c>, <c>uploading</c>.</param>
/// <param name="Teachers">Its teachers.</param>
/// <param name="Round">The round it is working on, if any.</param>
/// <param name="Progress">Progress of the current work in [0, 1], if known.</param>
public sealed record ParticipantReport(string Status, IReadOnlyList<TeacherReport> Teachers, int? Round = null, double? Progress = null);
