using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>median</c>: z[n, c] = median over teachers of z_k[n, c], coordinate by coordinate (the mean of
/// the two middle values when K is even). Robust: fewer than half the teachers, however wrong or
/// malicious, cannot move any coordinate outside the range of the honest ones. Keeps every
/// teacher's logits until it finishes: memory grows by one [N, C] float32 tensor per teacher.
/// </summary>
public sealed class MedianStrategy : IEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "median";

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => true;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => new Accumulator(examples, classes);

    private sealed class Accumulator(int examples, int classes) : OrderStatisticAccumulator(examples, classes)
    {
        // Odd K: the middle value; even K: the mean of the two middle values.
        protected override Tensor Reduce(Tensor sortedOverTeachers, int teachers) =>
            sortedOverTeachers.narrow(0, (teachers - 1) / 2, 2 - teachers % 2).mean([0]);
    }
}
