namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>mean-logits</c>: z = (1/K) Σ_k z_k, the plain average of the teachers' logits (FedDF's
/// ensemble). Streaming. A loss at temperature T then targets softmax(z / T), the geometric mean
/// of the teachers' softened distributions, renormalized.
/// </summary>
public sealed class MeanLogitsStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "mean-logits";

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes);

    private sealed class Accumulator(int examples, int classes) : TeacherWeightedMeanAccumulator(examples, classes)
    {
        protected override double WeightOf(TeacherContribution contribution) => 1.0;
    }
}
