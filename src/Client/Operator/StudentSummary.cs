namespace FedDistill.Client.Operator;

/// <summary>A published student, as <c>feddistill students list</c> shows it.</summary>
/// <param name="Version">Its version: the number of the round that produced it.</param>
/// <param name="Accuracy">Its accuracy on the aggregator's evaluation set, if it has one.</param>
/// <param name="Sha256">SHA-256 of its checkpoint (the safetensors state dict).</param>
/// <param name="PublishedAt">When its round completed.</param>
/// <param name="Strategy">The ensemble strategy of its round.</param>
/// <param name="Teachers">Teachers in the ensemble it was distilled from.</param>
public sealed record StudentSummary(int Version, double? Accuracy, string Sha256, DateTimeOffset? PublishedAt, string Strategy, int Teachers);
