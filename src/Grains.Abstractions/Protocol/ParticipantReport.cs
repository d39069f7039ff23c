namespace FedDistill.Grains.Protocol;

/// <summary>An organization's status report: what it is doing and what its teachers are.</summary>
/// <param name="Status">What it is doing, e.g. <c>idle</c>, <c>training</c>, <c>digesting</c>, <c>computing-logits</c>, <c>uploading</c>.</param>
/// <param name="Teachers">Its teachers.</param>
/// <param name="Round">The round it is working on, if any.</param>
/// <param name="Progress">Progress of the current work in [0, 1], if known.</param>
[GenerateSerializer, Immutable]
public sealed record ParticipantReport(
    [property: Id(0)] string Status,
    [property: Id(1)] IReadOnlyList<TeacherReport> Teachers,
    [property: Id(2)] int? Round = null,
    [property: Id(3)] double? Progress = null);
