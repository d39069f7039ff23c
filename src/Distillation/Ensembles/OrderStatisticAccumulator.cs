using FedDistill.Torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// Keeps a copy of every teacher's logits (order statistics cannot be streamed), then sorts each
/// coordinate over the teachers and lets the strategy reduce the sorted [K, N, C] values.
/// Memory grows by one [N, C] float32 tensor per teacher.
/// </summary>
internal abstract class OrderStatisticAccumulator : EnsembleAccumulator
{
    private readonly List<Tensor> _teachers = new();

    protected OrderStatisticAccumulator(int examples, int classes)
        : base(examples, classes)
    {
    }

    /// <summary>Reduces logits sorted ascending over teachers, [K, N, C], to the [N, C] ensemble.</summary>
    protected abstract Tensor Reduce(Tensor sortedOverTeachers, int teachers);

    protected sealed override void Accumulate(TeacherContribution contribution, Tensor logits) =>
        // A clone, because the logits may share storage with the caller's tensor, which the caller may reuse.
        _teachers.Add(Retain(logits.Clone()));

    protected sealed override Tensor Combine()
    {
        var (sorted, _) = Tensor.Stack(_teachers, 0).Sort(0);
        return Reduce(sorted, _teachers.Count);
    }
}
