using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// A training objective on one batch of student logits, given the teachers' (ensembled) logits
/// where there are any and the hard labels where the data has them.
/// </summary>
public interface IDistillationLoss
{
    /// <summary>True when the loss cannot be computed without teacher logits.</summary>
    bool NeedsTeacher { get; }

    /// <summary>True when the loss cannot be computed without hard labels.</summary>
    bool NeedsLabels { get; }

    /// <summary>The scalar loss; the caller (or the current dispose scope) owns it.</summary>
    /// <param name="studentLogits">[B, C] student outputs, part of the autograd graph.</param>
    /// <param name="teacherLogits">[B, C] teacher logits, or null.</param>
    /// <param name="labels">[B] int64 class labels, or null.</param>
    Tensor Compute(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels);
}
