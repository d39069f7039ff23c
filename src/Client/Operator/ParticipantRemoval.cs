namespace FedDistill.Client.Operator;

/// <summary>What <c>feddistill participants remove</c> did.</summary>
/// <param name="ParticipantId">The participant removed.</param>
/// <param name="Removed">Always true: a refusal is an error, not a result.</param>
public sealed record ParticipantRemoval(string ParticipantId, bool Removed);
