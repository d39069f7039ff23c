using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>trimmed-mean</c>: per coordinate, sort the K teachers' logits, drop the m = floor(β · K)
/// lowest and m highest, and average the remaining K − 2m (β = <see cref="TrimFraction"/>).
/// Robust to up to m wrong teachers per coordinate while averaging more of the honest ones than the
/// median. Keeps every teacher's logits until it finishes: memory grows by one [N, C] float32
/// tensor per teacher. With fewer than 1/β teachers nothing is trimmed and it is the plain mean.
/// </summary>
public sealed class TrimmedMeanStrategy : IEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "trimmed-mean";

    /// <summary>Creates the strategy.</summary>
    /// <param name="trimFraction">The fraction β in [0, 0.5) trimmed at each end.</param>
    public TrimmedMeanStrategy(double trimFraction = 0.2)
    {
        if (!(trimFraction >= 0.0 && trimFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(trimFraction), trimFraction, "The trim fraction must lie in [0, 0.5).");
        TrimFraction = trimFraction;
    }

    /// <summary>The fraction β trimmed at each end.</summary>
    public double TrimFraction { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => true;

    /// <summary>How many teachers are dropped at each end out of <paramref name="teachers"/>: floor(β · K).</summary>
    public int TrimmedPerSide(int teachers) =>
        // The small slack keeps β · K that should be an integer (0.3 · 10) from rounding down below it.
        (int)Math.Floor(TrimFraction * teachers + 1e-9);

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => new Accumulator(examples, classes, this);

    private sealed class Accumulator(int examples, int classes, TrimmedMeanStrategy strategy) : OrderStatisticAccumulator(examples, classes)
    {
        protected override Tensor Reduce(Tensor sortedOverTeachers, int teachers)
        {
            var trimmed = strategy.TrimmedPerSide(teachers);
            return sortedOverTeachers.narrow(0, trimmed, teachers - 2 * trimmed).mean([0]);
        }
    }
}
