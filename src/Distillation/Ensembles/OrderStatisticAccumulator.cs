using TorchSharp;
using static TorchSharp.torch;

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
        _teachers.Add(Retain(logits.clone()));

    protected sealed override Tensor Combine()
    {
        var stacked = torch.stack(_teachers, 0);
        // The copies are in the stack now: free them (Finish would, but only after the sort) to lower the peak.
        foreach (var teacher in _teachers) teacher.Dispose();
        var (sorted, indices) = stacked.sort(0);
        // Only the values are used; the int64 indices are twice their size.
        indices.Dispose();
        stacked.Dispose();
        return Reduce(sorted, _teachers.Count);
    }
}
