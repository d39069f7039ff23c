namespace FedDistill.Grains.Protocol;

/// <summary>One finished epoch of a round's student distillation, as <see cref="IRoundObserver"/> subscribers hear of it.</summary>
/// <param name="Round">The round.</param>
/// <param name="Epochs">The epochs the student trains for in this round.</param>
/// <param name="Metrics">The epoch's number (from 1), mean training loss and evaluation accuracy (if the aggregator has an evaluation set).</param>
[GenerateSerializer, Immutable]
public sealed record StudentEpochNotice(
    [property: Id(0)] int Round,
    [property: Id(1)] int Epochs,
    [property: Id(2)] StudentEpochMetrics Metrics);
