namespace FedDistill.Grains.Protocol;

/// <summary>A published student, as <see cref="IRoundObserver"/> subscribers hear of it.</summary>
/// <param name="Round">The round, also the student's version.</param>
/// <param name="Result">What the round produced: the student's hash and accuracy, bytes, times.</param>
[GenerateSerializer, Immutable]
public sealed record StudentPublishedNotice(
    [property: Id(0)] int Round,
    [property: Id(1)] RoundResult Result);
