using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>entropy-weighted</c>: per example, confident teachers count more. With p_k = softmax(z_k / T)
/// and H_k[n] = −Σ_c p_k[n, c] log p_k[n, c], teacher k's weight on example n is
/// w_k[n] = exp(−H_k[n]) and q[n] = Σ_k w_k[n] p_k[n] / Σ_k w_k[n]; returned as T · log q. Streaming.
/// </summary>
/// <remarks>
/// exp(−H) rather than 1/H: it stays finite for a one-hot teacher (weight 1) and bounded below by
/// 1/C for a uniform one, so no teacher is silenced and none takes over by certainty alone; a
/// teacher sure of itself counts up to C times more than one that is guessing.
/// </remarks>
public sealed class EntropyWeightedStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "entropy-weighted";

    /// <summary>Creates the strategy.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0, applied before the entropies are taken; set it to the distillation loss's.</param>
    public EntropyWeightedStrategy(double temperature = 1.0) =>
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

    private sealed class Accumulator(int examples, int classes, double temperature) : EnsembleAccumulator(examples, classes), ISummableAccumulator
    {
        private Tensor? _weightedSum;
        private Tensor? _weightTotal;

        protected override void Accumulate(TeacherContribution contribution, Tensor logits)
        {
            // From log-softmax, so a confident teacher's p · log p is 0 · (finite), never 0 · (−∞).
            var logProbabilities = ProbabilitySpace.LogSoften(logits, temperature);
            var probabilities = logProbabilities.exp();
            // The log-probabilities are not needed after this, so p · log p overwrites them.
            var weight = logProbabilities.mul_(probabilities).sum(1, keepdim: true).exp_();
            _weightedSum ??= RetainZeros(Examples, Classes);
            _weightTotal ??= RetainZeros(Examples, 1);
            // Σ += p · w, broadcast over the classes in one kernel, with no [N, C] product kept.
            _weightedSum.addcmul_(probabilities, weight, 1);
            _weightTotal.add_(weight);
        }

        // Layout: Σ w_k[n] p_k (N × C), Σ w_k[n] (N), the teacher count.
        public int SumLength => Examples * Classes + Examples + 1;

        public float[] ExportSums()
        {
            RequireExportable();
            var sums = new float[SumLength];
            CopyOut(_weightedSum!, sums, 0);
            CopyOut(_weightTotal!, sums, Examples * Classes);
            sums[^1] = TeacherCount;
            return sums;
        }

        public void ImportSums(ReadOnlySpan<double> sums)
        {
            AdoptSums(sums, SumLength);
            var cells = Examples * Classes;
            _weightedSum = RetainFrom(sums[..cells], Examples, Classes);
            _weightTotal = RetainFrom(sums.Slice(cells, Examples), Examples, 1);
        }

        protected override Tensor Combine() => ProbabilitySpace.ToLogits(_weightedSum! / _weightTotal!, temperature);
    }
}
