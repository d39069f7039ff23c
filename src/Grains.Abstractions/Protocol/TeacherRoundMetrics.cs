namespace FedDistill.Grains.Protocol;

/// <summary>How one uploaded teacher did in a round, measured by the aggregator on the public set.</summary>
/// <param name="ParticipantId">Its organization.</param>
/// <param name="TeacherId">The teacher.</param>
/// <param name="ValidationAccuracy">Accuracy on the labeled validation rows of the public set, if any.</param>
/// <param name="Agreement">Fraction of public examples where its argmax matches the ensemble's.</param>
/// <param name="ReportedAccuracy">The accuracy its organization reported on its own held-out data, if any.</param>
/// <param name="Weight">
/// Its share of the ensemble in [0, 1]: the strategy's own weight where it weights a teacher by one
/// number, else its share of all teachers' training examples (per-class and per-sample strategies
/// weight it differently on each class or example).
/// </param>
[GenerateSerializer, Immutable]
public sealed record TeacherRoundMetrics(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string TeacherId,
    [property: Id(2)] double? ValidationAccuracy,
    [property: Id(3)] double Agreement,
    [property: Id(4)] double? ReportedAccuracy = null,
    [property: Id(5)] double Weight = 0);
