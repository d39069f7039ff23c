using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>per-class-weighted</c>: each teacher is trusted per class. With p_k = softmax(z_k / T) and
/// w_kc = <see cref="TeacherContribution.PerClassWeights"/>[c] of teacher k,
/// q̃[n, c] = Σ_k w_kc p_k[n, c] / Σ_k w_kc, then q[n, ·] = q̃[n, ·] / Σ_c q̃[n, c]; returned as
/// T · log q. Streaming. Suited to label-skewed federations, where a teacher that never saw
/// class c should not speak about it.
/// </summary>
/// <remarks>
/// Each column is a convex combination of the teachers' probabilities for that class, so a teacher
/// with w_kc = 0 has no say in column c (before the row renormalization that makes q a
/// distribution). A column no teacher has any weight for falls back to the plain mean of the
/// teachers' probabilities for that class rather than to zero: no evidence is not evidence against.
/// </remarks>
public sealed class PerClassWeightedStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "per-class-weighted";

    /// <summary>Creates the strategy.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0; set it to the distillation loss's.</param>
    public PerClassWeightedStrategy(double temperature = 1.0) =>
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
        private readonly double[] _columnWeights = new double[classes];
        private Tensor? _weightedSum;
        private Tensor? _plainSum;

        protected override void ValidateContribution(TeacherContribution contribution)
        {
            var weights = contribution.PerClassWeights
                ?? throw new ArgumentException(
                    $"Teacher '{contribution.TeacherId}' has no {nameof(TeacherContribution.PerClassWeights)}, which {StrategyName} needs.",
                    nameof(contribution));
            if (weights.Count != Classes)
                throw new ArgumentException($"Teacher '{contribution.TeacherId}' has {weights.Count} per-class weights; expected one for each of {Classes} classes.", nameof(contribution));
            for (var c = 0; c < weights.Count; c++)
            {
                if (!(weights[c] >= 0.0) || double.IsPositiveInfinity(weights[c]))
                    throw new ArgumentException($"Teacher '{contribution.TeacherId}' has per-class weight {weights[c]} for class {c}; weights must be non-negative and finite.", nameof(contribution));
            }
        }

        protected override void Accumulate(TeacherContribution contribution, Tensor logits)
        {
            var weights = contribution.PerClassWeights!;
            var probabilities = ProbabilitySpace.Soften(logits, temperature);
            var row = torch.tensor(weights.Select(weight => (float)weight).ToArray(), 1, Classes, device: Device);
            _weightedSum ??= RetainZeros(Examples, Classes);
            _plainSum ??= RetainZeros(Examples, Classes);
            // Σ += p · w, the [1, C] weights broadcast over the rows in one kernel, with no product kept.
            _weightedSum.addcmul_(probabilities, row, 1);
            _plainSum.add_(probabilities);
            // The column totals stay on the host in double: C numbers, needed there to choose each column's rule.
            for (var c = 0; c < Classes; c++) _columnWeights[c] += weights[c];
        }

        // Layout: Σ w_kc p_k (N × C), Σ p_k (N × C), Σ w_kc (C), the teacher count.
        public int SumLength => 2 * Examples * Classes + Classes + 1;

        public float[] ExportSums()
        {
            RequireExportable();
            var sums = new float[SumLength];
            var cells = Examples * Classes;
            CopyOut(_weightedSum!, sums, 0);
            CopyOut(_plainSum!, sums, cells);
            for (var c = 0; c < Classes; c++) sums[2 * cells + c] = (float)_columnWeights[c];
            sums[^1] = TeacherCount;
            return sums;
        }

        public void ImportSums(ReadOnlySpan<double> sums)
        {
            AdoptSums(sums, SumLength);
            var cells = Examples * Classes;
            _weightedSum = RetainFrom(sums[..cells], Examples, Classes);
            _plainSum = RetainFrom(sums.Slice(cells, cells), Examples, Classes);
            sums.Slice(2 * cells, Classes).CopyTo(_columnWeights);
        }

        protected override Tensor Combine()
        {
            // Per column, either the trust-weighted mean or (no trust anywhere) the plain mean.
            var weightedScale = _columnWeights.Select(total => total > 0.0 ? (float)(1.0 / total) : 0f).ToArray();
            var plainScale = _columnWeights.Select(total => total > 0.0 ? 0f : (float)(1.0 / TeacherCount)).ToArray();
            var combined = _weightedSum! * torch.tensor(weightedScale, 1, Classes, device: Device);
            combined.addcmul_(_plainSum!, torch.tensor(plainScale, 1, Classes, device: Device), 1);
            // combined is fresh, so it is normalized in place.
            var normalized = combined.div_(combined.sum(1, keepdim: true).clamp_min(ProbabilitySpace.Floor));
            return ProbabilitySpace.ToLogits(normalized, temperature);
        }
    }
}
