using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>mean-probabilities</c>: q = (1/K) Σ_k softmax(z_k / T), the arithmetic mean of the teachers'
/// softened distributions, returned as T · log q. Streaming. Unlike the mean of logits, one
/// over-confident teacher cannot push the target beyond its own share of the probability mass.
/// </summary>
public sealed class MeanProbabilitiesStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "mean-probabilities";

    /// <summary>Creates the strategy.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0; set it to the distillation loss's.</param>
    public MeanProbabilitiesStrategy(double temperature = 1.0) =>
        Temperature = ProbabilitySpace.RequireTemperature(temperature, nameof(temperature));

    /// <summary>The softening temperature T.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes, Temperature);

    private sealed class Accumulator(int examples, int classes, double temperature) : TeacherWeightedMeanAccumulator(examples, classes)
    {
        protected override double WeightOf(TeacherContribution contribution) => 1.0;

        protected override Tensor Transform(Tensor logits) => ProbabilitySpace.Soften(logits, temperature);

        protected override Tensor Complete(Tensor weightedMean) => ProbabilitySpace.ToLogits(weightedMean, temperature);
    }
}
