namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>accuracy-weighted</c>: z = Σ_k w_k z_k / Σ_k w_k with w_k = a_k^γ, where a_k is the
/// teacher's validation accuracy and γ the <see cref="AccuracyExponent"/>. Streaming. γ = 1 is
/// proportional to accuracy; γ = 0 is the plain mean; large γ approaches "the best teacher only".
/// A power of accuracy rather than a softmax keeps a useless teacher (a = 0) at weight exactly 0.
/// </summary>
public sealed class AccuracyWeightedStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "accuracy-weighted";

    /// <summary>Creates the strategy.</summary>
    /// <param name="accuracyExponent">The exponent γ ≥ 0 applied to each accuracy.</param>
    public AccuracyWeightedStrategy(double accuracyExponent = 1.0)
    {
        if (!(accuracyExponent >= 0.0) || double.IsPositiveInfinity(accuracyExponent))
            throw new ArgumentOutOfRangeException(nameof(accuracyExponent), accuracyExponent, "The accuracy exponent must be non-negative and finite.");
        AccuracyExponent = accuracyExponent;
    }

    /// <summary>The exponent γ applied to each accuracy.</summary>
    public double AccuracyExponent { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes, AccuracyExponent);

    private sealed class Accumulator(int examples, int classes, double exponent) : TeacherWeightedMeanAccumulator(examples, classes)
    {
        protected override double WeightOf(TeacherContribution contribution)
        {
            if (contribution.ValidationAccuracy is not { } accuracy)
            {
                throw new ArgumentException(
                    $"Teacher '{contribution.TeacherId}' has no {nameof(TeacherContribution.ValidationAccuracy)}, which {StrategyName} needs.",
                    nameof(contribution));
            }

            if (!(accuracy >= 0.0 && accuracy <= 1.0))
                throw new ArgumentException($"Teacher '{contribution.TeacherId}' has validation accuracy {accuracy}; it must lie in [0, 1].", nameof(contribution));
            return Math.Pow(accuracy, exponent);
        }
    }
}
