namespace FedDistill.Grains.Protocol;

/// <summary>A federation's differential-privacy budget and what its completed rounds have spent against it.</summary>
/// <param name="BudgetEpsilon">The total ε the federation may spend, over all rounds.</param>
/// <param name="Delta">The δ every ε is stated at.</param>
/// <param name="SpentEpsilon">
/// ε of all completed rounds together at <paramref name="Delta"/>: their Rényi-DP summed order by
/// order, then converted once (less than the sum of the rounds' own ε values).
/// </param>
/// <param name="PrivateRounds">Completed <c>pate-gnmax</c> rounds counted in <paramref name="SpentEpsilon"/>.</param>
[GenerateSerializer, Immutable]
public sealed record PrivacyLedger(
    [property: Id(0)] double BudgetEpsilon,
    [property: Id(1)] double Delta,
    [property: Id(2)] double SpentEpsilon,
    [property: Id(3)] int PrivateRounds);
