namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// A strategy computable from sums over teachers (each organization may apply its own weights
/// before summing, and the normalizer is summed too), so it can run under secure summation, where
/// the aggregator sees only the sum over organizations. A strategy that does not implement this
/// interface cannot be computed from sums, and secure summation refuses it
/// (see <c>SummableStrategies.Require</c>).
/// </summary>
public interface ISummableEnsembleStrategy : IEnsembleStrategy
{
    /// <summary>Starts an accumulator whose state can be exported and imported as sums.</summary>
    /// <param name="examples">Number of public examples N, at least 1.</param>
    /// <param name="classes">Number of classes C, at least 1.</param>
    /// <returns>A new, empty accumulator owned by the caller, who disposes it.</returns>
    ISummableAccumulator BeginSummable(int examples, int classes);
}
