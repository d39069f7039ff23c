using static TorchSharp.torch;

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
        using var scaledStudent = studentLogits.div(Temperature);
        using var studentLogProbabilities = nn.functional.log_softmax(scaledStudent, 1);
        using var scaledTeacher = teacherLogits.div(Temperature);
        using var teacherProbabilities = nn.functional.softmax(scaledTeacher, 1);
        // PyTorch's "batchmean": the summed KL over the batch divided by B. TorchSharp's kl_div has
        // no such reduction and takes log-probabilities as the target unless told otherwise; the
        // division by B is folded into the T² multiply below.
        using var divergence = nn.functional.kl_div(studentLogProbabilities, teacherProbabilities, log_target: false, reduction: nn.Reduction.Sum);
        var perExample = Temperature * Temperature / studentLogits.shape[0];
        if (labels is null || Alpha >= 1) return divergence.mul(perExample);
        // α·T²·KL + (1 − α)·CE, with the scalings folded into one multiply and one fused add.
        using var soft = divergence.mul(Alpha * perExample);
        using var hard = nn.functional.cross_entropy(studentLogits, labels);
        return soft.add(hard, 1 - Alpha);
    }
}
