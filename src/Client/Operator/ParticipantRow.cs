namespace FedDistill.Client.Operator;

/// <summary>One participant's row in <c>rounds watch</c>.</summary>
/// <param name="ParticipantId">Its id.</param>
/// <param name="DisplayName">Its human name.</param>
/// <param name="Status"><c>uploaded</c>, else the status of its last report (e.g. <c>training</c>), or <c>never seen</c>.</param>
/// <param name="Progress">Its progress on this round in [0, 1], when known (1 once uploaded).</param>
/// <param name="Uploaded">Whether its upload to this round was accepted.</param>
/// <param name="LastSeenAt">When it last called the aggregator.</param>
public sealed record ParticipantRow(string ParticipantId, string DisplayName, string Status, double? Progress, bool Uploaded, DateTimeOffset? LastSeenAt);
