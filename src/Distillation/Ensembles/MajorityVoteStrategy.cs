using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>majority-vote</c>: each teacher casts one vote per example, for its argmax class. With
/// V[n, c] the votes, p̄ = (1/K) Σ_k softmax(z_k / T) and λ = <see cref="VoteSmoothing"/> in (0, 1),
/// q = (V + λ p̄) / (K + λ); returned as T · log q. Streaming (vote counts and one probability sum).
/// </summary>
/// <remarks>
/// The λ pseudo-votes, spread by the mean probability, do two jobs: they break ties (two classes
/// with equal votes are ordered by p̄, and since λ &lt; 1 they can never outweigh a whole vote, so
/// argmax q is always a most-voted class), and they keep every class's probability above zero, so
/// the logits stay finite. As λ → 0, q tends to the vote fractions V / K.
/// </remarks>
public sealed class MajorityVoteStrategy : ISummableEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "majority-vote";

    /// <summary>Creates the strategy.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0 of the tie-breaking probabilities and of the returned logits.</param>
    /// <param name="voteSmoothing">Pseudo-votes λ in (0, 1).</param>
    public MajorityVoteStrategy(double temperature = 1.0, double voteSmoothing = 0.1)
    {
        Temperature = ProbabilitySpace.RequireTemperature(temperature, nameof(temperature));
        if (!(voteSmoothing > 0.0 && voteSmoothing < 1.0))
            throw new ArgumentOutOfRangeException(nameof(voteSmoothing), voteSmoothing, "The vote smoothing must lie in (0, 1).");
        VoteSmoothing = voteSmoothing;
    }

    /// <summary>The softening temperature T.</summary>
    public double Temperature { get; }

    /// <summary>The pseudo-votes λ.</summary>
    public double VoteSmoothing { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => BeginSummable(examples, classes);

    /// <inheritdoc />
    public ISummableAccumulator BeginSummable(int examples, int classes) => new Accumulator(examples, classes, this);

    private sealed class Accumulator(int examples, int classes, MajorityVoteStrategy strategy) : EnsembleAccumulator(examples, classes), ISummableAccumulator
    {
        private Tensor? _votes;
        private Tensor? _probabilitySum;

        protected override void Accumulate(TeacherContribution contribution, Tensor logits)
        {
            _votes ??= RetainZeros(Examples, Classes);
            _probabilitySum ??= RetainZeros(Examples, Classes);
            // One vote per row straight into the counts at the argmax column, rather than through an
            // [N, C] one-hot matrix (int64, then float32).
            var choices = logits.argmax(1, keepdim: true);
            _votes.scatter_add_(1, choices, torch.ones(Examples, 1, ScalarType.Float32, Device));
            _probabilitySum.add_(ProbabilitySpace.Soften(logits, strategy.Temperature));
        }

        // Layout: the votes (N × C), Σ p_k (N × C), the teacher count.
        public int SumLength => 2 * Examples * Classes + 1;

        public float[] ExportSums()
        {
            RequireExportable();
            var sums = new float[SumLength];
            CopyOut(_votes!, sums, 0);
            CopyOut(_probabilitySum!, sums, Examples * Classes);
            sums[^1] = TeacherCount;
            return sums;
        }

        public void ImportSums(ReadOnlySpan<double> sums)
        {
            AdoptSums(sums, SumLength);
            var cells = Examples * Classes;
            // Votes are whole numbers; fixed point brings them back within 2^-17 per organization.
            var votes = new double[cells];
            for (var i = 0; i < cells; i++) votes[i] = Math.Round(sums[i]);
            _votes = RetainFrom(votes, Examples, Classes);
            _probabilitySum = RetainFrom(sums.Slice(cells, cells), Examples, Classes);
        }

        protected override Tensor Combine()
        {
            // λ p̄ = (λ / K) Σ_k p_k; the sum is fresh, so it is scaled in place.
            var smoothed = _votes!.add(_probabilitySum!, strategy.VoteSmoothing / TeacherCount);
            return ProbabilitySpace.ToLogits(smoothed.div_(TeacherCount + strategy.VoteSmoothing), strategy.Temperature);
        }
    }
}
