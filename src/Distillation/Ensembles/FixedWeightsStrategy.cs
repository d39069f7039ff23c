namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>fixed-weights</c>: z = Σ_k w_k z_k / Σ_k w_k with weights set in advance (e.g. each
/// participant's data-set size, as FedAvg weights clients). Streaming. A teacher's weight is its
/// contribution's <see cref="TeacherContribution.Weight"/> when set, otherwise the configured
/// weight for its id; a teacher with neither is rejected.
/// </summary>
public sealed class FixedWeightsStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "fixed-weights";

    private readonly Dictionary<string, double> _weights;

    /// <summary>Creates the strategy.</summary>
    /// <param name="weights">Non-negative, finite weight per teacher id (copied); may be empty when every contribution carries its own weight.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative, NaN or infinite.</exception>
    public FixedWeightsStrategy(IReadOnlyDictionary<string, double>? weights = null)
    {
        _weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (teacher, weight) in weights ?? new Dictionary<string, double>())
        {
            if (!(weight >= 0.0) || double.IsPositiveInfinity(weight))
                throw new ArgumentOutOfRangeException(nameof(weights), weight, $"The weight of teacher '{teacher}' must be non-negative and finite.");
            _weights[teacher] = weight;
        }
    }

    /// <summary>The configured weight per teacher id.</summary>
    public IReadOnlyDictionary<string, double> Weights => _weights;

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes, this);

    private double WeightOf(TeacherContribution contribution)
    {
        if (contribution.Weight is { } own) return own;
        if (_weights.TryGetValue(contribution.TeacherId, out var configured)) return configured;
        var known = _weights.Count == 0 ? "none are configured" : "configured: " + string.Join(", ", _weights.Keys.Order(StringComparer.Ordinal));
        throw new ArgumentException(
            $"Teacher '{contribution.TeacherId}' has no weight: set its contribution's {nameof(TeacherContribution.Weight)} or " +
            $"{nameof(EnsembleOptions)}.{nameof(EnsembleOptions.FixedWeights)}['{contribution.TeacherId}'] ({known}).",
            nameof(contribution));
    }

    private sealed class Accumulator(int examples, int classes, FixedWeightsStrategy strategy) : TeacherWeightedMeanAccumulator(examples, classes)
    {
        protected override double WeightOf(TeacherContribution contribution) => strategy.WeightOf(contribution);
    }
}
