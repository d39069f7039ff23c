using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// Hinton et al. (2015): α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y).
/// The T² factor keeps the soft term's gradients on the scale of the hard term's as T changes.
/// Without labels (an unlabeled public set) only the soft term is used, at full weight.
/// </summary>
public sealed class KnowledgeDistillationLoss : IDistillationLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0; 1 leaves the distributions as they are.</param>
    /// <param name="alpha">Weight α ∈ [0, 1] of the soft term when labels are present.</param>
    public KnowledgeDistillationLoss(double temperature = 4.0, double alpha = 0.9)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive finite number.");
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must lie in [0, 1].");
        Temperature = temperature;
        Alpha = alpha;
    }

    /// <summary>The softening temperature T.</summary>
    public double Temperature { get; }

    /// <summary>The soft term's weight α when labels are present.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public bool NeedsTeacher => true;

    /// <inheritdoc />
    public bool NeedsLabels => false;

    /// <inheritdoc />
    public Tensor Compute(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits, nameof(teacherLogits));
        using var scaledStudent = studentLogits.Div(Temperature);
        using var studentLogProbabilities = Functional.LogSoftmax(scaledStudent, 1);
        using var scaledTeacher = teacherLogits.Div(Temperature);
        using var teacherProbabilities = Functional.Softmax(scaledTeacher, 1);
        using var divergence = Functional.KlDiv(studentLogProbabilities, teacherProbabilities, Reduction.BatchMean);
        if (labels is null || Alpha >= 1) return divergence.Mul(Temperature * Temperature);
        // α·T²·KL + (1 − α)·CE, with the two scalings folded into one multiply and one fused add.
        using var soft = divergence.Mul(Alpha * Temperature * Temperature);
        using var hard = Functional.CrossEntropy(studentLogits, labels);
        return soft.Add(hard, 1 - Alpha);
    }
}
