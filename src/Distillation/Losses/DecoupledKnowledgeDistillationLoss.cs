using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// Decoupled knowledge distillation (Zhao et al., 2022): the classic KD term split into a
/// target-class part and a non-target-class part with independent weights,
/// α · TCKD + β · NCKD, both scaled by T².
/// </summary>
/// <remarks>
/// <para>Formulas as in the authors' mdistiller code, with p = softmax(z/T) and g the one-hot label:
/// TCKD = T² · KL(b_t ‖ b_s) summed over the batch and divided by B, where b = [p·g, p·(1 − g)]
/// summed over classes (the binary target versus non-target mass); NCKD = T² · KL(p̂_t ‖ p̂_s) / B
/// likewise, where p̂ = softmax(z/T − 1000·g) is the distribution among the non-target classes
/// (the target logit pushed 1000 down so its probability vanishes).</para>
/// <para>Classic KD weights NCKD by the teacher's non-target mass 1 − p_t(target), which shrinks as
/// the teacher grows confident; DKD's fixed β (8 by default, from the paper's CIFAR-100 setup)
/// keeps that "dark knowledge" term at full strength. mdistiller adds cross entropy on the labels
/// and a linear warm-up of the DKD weight; combine those in the trainer. Teacher logits are a
/// fixed target (detached).</para>
/// </remarks>
public sealed class DecoupledKnowledgeDistillationLoss : IDistillationLoss
{
    private const double TargetMaskOffset = 1000.0;

    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">Softening temperature T &gt; 0; 4 by default.</param>
    /// <param name="alpha">α ≥ 0, the weight of TCKD; 1 by default.</param>
    /// <param name="beta">β ≥ 0, the weight of NCKD; 8 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public DecoupledKnowledgeDistillationLoss(double temperature = 4.0, double alpha = 1.0, double beta = 8.0)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive finite number.");
        if (!(alpha >= 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be a finite number ≥ 0.");
        if (!(beta >= 0) || double.IsInfinity(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be a finite number ≥ 0.");
        Temperature = temperature;
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>The softening temperature T.</summary>
    public double Temperature { get; }

    /// <summary>α, the weight of the target-class term.</summary>
    public double Alpha { get; }

    /// <summary>β, the weight of the non-target-class term.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public bool NeedsTeacher => true;

    /// <inheritdoc />
    public bool NeedsLabels => true;

    /// <inheritdoc />
    public Tensor Compute(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var (targetClass, nonTargetClass) = ComputeTerms(studentLogits, teacherLogits, labels);
        return targetClass.mul(Alpha).add(nonTargetClass, Beta).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unweighted terms T²·TCKD and T²·NCKD (each a scalar tensor), for logging or other
    /// weightings; the caller (or the current dispose scope) owns both.
    /// </summary>
    /// <param name="studentLogits">[B, C] student logits, part of the autograd graph.</param>
    /// <param name="teacherLogits">[B, C] teacher logits.</param>
    /// <param name="labels">[B] int64 class labels.</param>
    /// <exception cref="ArgumentNullException">Teacher logits or labels are missing.</exception>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public (Tensor TargetClass, Tensor NonTargetClass) ComputeTerms(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits, nameof(teacherLogits));
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        var studentShape = studentLogits.shape;
        var teacherShape = teacherLogits.shape;
        var labelShape = labels.shape;
        if (studentShape.Length != 2 || !studentShape.AsSpan().SequenceEqual(teacherShape) || labelShape.Length != 1 || labelShape[0] != studentShape[0])
            throw new ArgumentException($"DKD needs [B, C] student and teacher logits and [B] labels; got student {FeatureSelection.Describe(studentShape)}, " +
                $"teacher {FeatureSelection.Describe(teacherShape)} and labels {FeatureSelection.Describe(labelShape)}.");

        using var scope = torch.NewDisposeScope();
        var batch = (double)studentShape[0];
        var scale = Temperature * Temperature / batch;
        var target = nn.functional.one_hot(labels, studentShape[1]).to(studentLogits.dtype, studentLogits.device);
        var student = studentLogits.div(Temperature);
        var teacher = teacherLogits.detach().div(Temperature);

        // Targets are probabilities: TorchSharp's kl_div would otherwise read them as log-probabilities.
        var studentBinary = TargetAndRest(nn.functional.softmax(student, 1), target);
        var teacherBinary = TargetAndRest(nn.functional.softmax(teacher, 1), target);
        var targetClass = nn.functional.kl_div(studentBinary.log(), teacherBinary, log_target: false, reduction: nn.Reduction.Sum).mul(scale);

        var masked = target.mul(TargetMaskOffset);
        var studentRest = nn.functional.log_softmax(student.sub(masked), 1);
        var teacherRest = nn.functional.softmax(teacher.sub(masked), 1);
        var nonTargetClass = nn.functional.kl_div(studentRest, teacherRest, log_target: false, reduction: nn.Reduction.Sum).mul(scale);

        return (targetClass.MoveToOuterDisposeScope(), nonTargetClass.MoveToOuterDisposeScope());
    }

    /// <summary>[B, 2]: the probability of the target class and the summed probability of the others.</summary>
    private static Tensor TargetAndRest(Tensor probabilities, Tensor target)
    {
        var onTarget = probabilities.mul(target).sum(1, keepdim: true);
        var offTarget = probabilities.mul(target.neg().add(1.0)).sum(1, keepdim: true);
        return cat([onTarget, offTarget], 1);
    }
}
