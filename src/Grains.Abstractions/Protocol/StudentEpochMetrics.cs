namespace FedDistill.Grains.Protocol;

/// <summary>One epoch of a round's student distillation, as the aggregator measured it.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Loss">The student's mean training loss over the epoch.</param>
/// <param name="Accuracy">The student's accuracy on the aggregator's evaluation set after the epoch, if it has one.</param>
[GenerateSerializer, Immutable]
public sealed record StudentEpochMetrics(
    [property: Id(0)] int Epoch,
    [property: Id(1)] double Loss,
    [property: Id(2)] double? Accuracy);
