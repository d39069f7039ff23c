namespace FedDistill.Grains.Protocol;

/// <summary>Work the aggregator hands an organization: an open round it has not uploaded to yet.</summary>
/// <param name="Federation">The federation (the aggregator grain's key) to upload to.</param>
/// <param name="Round">The round's number.</param>
/// <param name="Settings">The round's settings.</param>
/// <param name="PublicSet">The public set to compute logits on.</param>
/// <param name="PublicSetFingerprint">Its fingerprint, which the organization's own copy must match.</param>
/// <param name="Deadline">When uploads close.</param>
/// <param name="ConsensusRound">For a co-distillation round, the completed round whose consensus to digest first; null for one-shot work.</param>
/// <param name="ValidationExamples">Under secure summation: how many of the public set's first examples the organization measures its teachers on (the aggregator cannot, as it never sees their logits).</param>
/// <param name="Organizations">Under secure summation: how many organizations the round was opened for (the fixed-point ring is sized for their sum); 0 otherwise.</param>
[GenerateSerializer, Immutable]
public sealed record RoundAssignment(
    [property: Id(0)] string Federation,
    [property: Id(1)] int Round,
    [property: Id(2)] RoundSettings Settings,
    [property: Id(3)] PublicSetSpec PublicSet,
    [property: Id(4)] string PublicSetFingerprint,
    [property: Id(5)] DateTimeOffset Deadline,
    [property: Id(6)] int? ConsensusRound,
    [property: Id(7)] int ValidationExamples = 0,
    // [Id(9)] carried a weight scale the aggregator set from reports; the organizations' signed keys now state it. Not reused.
    [property: Id(8)] int Organizations = 0);
