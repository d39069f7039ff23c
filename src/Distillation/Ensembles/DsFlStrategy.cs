using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>ds-fl</c>: entropy reduction aggregation (ERA) from Itahara et al., "Distillation-Based
/// Semi-Supervised Federated Learning for Communication-Efficient Collaborative Training with
/// Non-IID Private Data" (IEEE TMC, 2021): q = softmax(p̄ / T_s) with
/// p̄ = (1/K) Σ_k softmax(z_k / T), returned as T · log q. Streaming.
/// </summary>
/// <remarks>
/// As in the paper, the softmax is taken of the averaged probabilities themselves, not of their
/// logarithm: p̄ lies in [0, 1], so with T_s = 0.1 the logits p̄ / T_s span at most 10 and the
/// target keeps p̄'s ranking. It is sharper than p̄ where the teachers broadly agree, but it is not
/// a power of p̄: ratios become exp((p̄_i − p̄_j) / T_s) instead of p̄_i / p̄_j, so classes with small
/// mean probability are lifted, and on a flat average over many classes the entropy can rise
/// rather than fall (see docs/ensembles.md). The paper's clients upload softmax outputs, which is
/// T = 1 here.
/// </remarks>
public sealed class DsFlStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "ds-fl";

    /// <summary>Creates the strategy.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0 of each teacher; set it to the distillation loss's.</param>
    /// <param name="sharpeningTemperature">The ERA temperature T_s &gt; 0; below 1 it sharpens (the paper uses 0.1).</param>
    public DsFlStrategy(double temperature = 1.0, double sharpeningTemperature = 0.1)
    {
        Temperature = ProbabilitySpace.RequireTemperature(temperature, nameof(temperature));
        SharpeningTemperature = ProbabilitySpace.RequireTemperature(sharpeningTemperature, nameof(sharpeningTemperature));
    }

    /// <summary>The softening temperature T.</summary>
    public double Temperature { get; }

    /// <summary>The ERA temperature T_s.</summary>
    public double SharpeningTemperature { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes, this);

    private sealed class Accumulator(int examples, int classes, DsFlStrategy strategy) : TeacherWeightedMeanAccumulator(examples, classes)
    {
        protected override double WeightOf(TeacherContribution contribution) => 1.0;

        protected override Tensor Transform(Tensor logits) => ProbabilitySpace.Soften(logits, strategy.Temperature);

        // log q straight from log-softmax: exact and finite, no floor needed. The mean is a fresh
        // tensor, so it is divided in place, and so is the fresh log-softmax scaled.
        protected override Tensor Complete(Tensor weightedMean)
        {
            var logTarget = nn.functional.log_softmax(weightedMean.div_(strategy.SharpeningTemperature), 1);
            return strategy.Temperature == 1.0 ? logTarget : logTarget.mul_(strategy.Temperature);
        }
    }
}
