namespace FedDistill.Distillation.Privacy;

/// <summary>What a PATE aggregation released, and what it cost.</summary>
/// <param name="Labels">Per query (public example), the noisy plurality class, or -1 where Confident-GNMax declined to answer.</param>
/// <param name="DataIndependent">
/// The rigorous cost: every threshold check plus GNMax on the answered queries, by the
/// data-independent bound. What budgets and round records use.
/// </param>
/// <param name="DataDependent">
/// The same queries with the GNMax answers accounted by the data-dependent bound (threshold
/// checks still data-independent); smaller when the teachers agree, but itself a function of the
/// private votes (see <see cref="RenyiAccountant"/>): for analysis, not for publication.
/// </param>
public sealed record PateLabels(int[] Labels, RenyiAccountant DataIndependent, RenyiAccountant DataDependent)
{
    /// <summary>How many queries were answered.</summary>
    public int Answered => Labels.Count(label => label >= 0);

    /// <summary>The indices of the answered queries, in order.</summary>
    public int[] AnsweredIndices() => Enumerable.Range(0, Labels.Length).Where(i => Labels[i] >= 0).ToArray();
}
