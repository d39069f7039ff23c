using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>Plain supervised cross entropy on hard labels, optionally label-smoothed: how teachers train.</summary>
public sealed class CrossEntropyLoss : IDistillationLoss
{
    /// <summary>Creates the loss with label smoothing ε ∈ [0, 1).</summary>
    public CrossEntropyLoss(double labelSmoothing = 0.0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must lie in [0, 1).");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The label smoothing ε.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc />
    public bool NeedsTeacher => false;

    /// <inheritdoc />
    public bool NeedsLabels => true;

    /// <inheritdoc />
    public Tensor Compute(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        return nn.functional.cross_entropy(studentLogits, labels, label_smoothing: LabelSmoothing);
    }
}
