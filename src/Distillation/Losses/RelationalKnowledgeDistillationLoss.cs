using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// Relational knowledge distillation (Park et al., 2019): instead of matching outputs one
/// example at a time, the student matches the structure of the batch in the teacher's space,
/// w_d · L_distance + w_a · L_angle.
/// </summary>
/// <remarks>
/// <para>Distance-wise: ψ_D(i, j) = ‖x_i − x_j‖ / μ with μ the mean distance over the B(B − 1)
/// off-diagonal pairs, compared with smooth-L1 (Huber, δ = 1) averaged over all B² entries.
/// Angle-wise: ψ_A(i, j, k) = e_ij · e_ik with e_ij = normalize(x_j − x_i), compared with smooth-L1
/// averaged over all B³ entries. Both follow the authors' code (and mdistiller) exactly:
/// distances from ‖a‖² + ‖b‖² − 2a·b clamped at 10⁻¹² before the square root, with a zero diagonal.</para>
/// <para>Works on logits (as an <see cref="IDistillationLoss"/>) or on any named feature (as an
/// <see cref="IFeatureDistillationLoss"/>); features of more than two dimensions are flattened per
/// example. Student and teacher widths may differ: only relations are compared. A batch of one
/// example has no relations, and the loss is then zero (still attached to the graph, so a trainer's
/// last, short batch needs no special case).</para>
/// </remarks>
public sealed class RelationalKnowledgeDistillationLoss : IDistillationLoss, IFeatureDistillationLoss
{
    private const double DistanceEpsilon = 1e-12;

    /// <summary>Creates the loss.</summary>
    /// <param name="distanceWeight">w_d ≥ 0 of the distance-wise term; the paper's 25 by default.</param>
    /// <param name="angleWeight">w_a ≥ 0 of the angle-wise term; the paper's 50 by default.</param>
    /// <param name="studentFeature">The student feature used by the feature-level <see cref="Compute(FeatureOutput, FeatureOutput)"/>; the logits by default.</param>
    /// <param name="teacherFeature">The teacher's feature; null means the same name as the student's.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative, infinite or NaN.</exception>
    public RelationalKnowledgeDistillationLoss(double distanceWeight = 25.0, double angleWeight = 50.0,
        string studentFeature = IFeatureDistillationLoss.LogitsFeature, string? teacherFeature = null)
    {
        if (!(distanceWeight >= 0) || double.IsInfinity(distanceWeight))
            throw new ArgumentOutOfRangeException(nameof(distanceWeight), distanceWeight, "The distance weight must be a finite number ≥ 0.");
        if (!(angleWeight >= 0) || double.IsInfinity(angleWeight))
            throw new ArgumentOutOfRangeException(nameof(angleWeight), angleWeight, "The angle weight must be a finite number ≥ 0.");
        DistanceWeight = distanceWeight;
        AngleWeight = angleWeight;
        StudentFeature = FeatureSelection.RequireName(studentFeature, nameof(studentFeature));
        TeacherFeature = teacherFeature is null ? studentFeature : FeatureSelection.RequireName(teacherFeature, nameof(teacherFeature));
    }

    /// <summary>w_d, the distance-wise term's weight.</summary>
    public double DistanceWeight { get; }

    /// <summary>w_a, the angle-wise term's weight.</summary>
    public double AngleWeight { get; }

    /// <summary>The student feature the feature-level overload reads.</summary>
    public string StudentFeature { get; }

    /// <summary>The teacher feature the feature-level overload reads.</summary>
    public string TeacherFeature { get; }

    /// <inheritdoc />
    public bool NeedsTeacher => true;

    /// <inheritdoc />
    public bool NeedsLabels => false;

    /// <inheritdoc />
    public IReadOnlyList<string> StudentFeatures => [StudentFeature];

    /// <inheritdoc />
    public IReadOnlyList<string> TeacherFeatures => [TeacherFeature];

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => [];

    /// <summary>The loss on logits; labels are not used.</summary>
    /// <inheritdoc />
    public Tensor Compute(Tensor studentLogits, Tensor? teacherLogits, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(teacherLogits, nameof(teacherLogits));
        return Compute(studentLogits, teacherLogits);
    }

    /// <inheritdoc />
    public Tensor Compute(FeatureOutput student, FeatureOutput teacher) =>
        Compute(FeatureSelection.Select(student, StudentFeature, nameof(student)), FeatureSelection.Select(teacher, TeacherFeature, nameof(teacher)));

    /// <summary>w_d · L_distance + w_a · L_angle; the caller (or the current dispose scope) owns the result.</summary>
    /// <param name="student">[B, ...] student embeddings, part of the autograd graph.</param>
    /// <param name="teacher">[B, ...] teacher embeddings of any width; a fixed target (detached).</param>
    /// <exception cref="ArgumentException">The batch sizes differ or a tensor has no example dimension.</exception>
    public Tensor Compute(Tensor student, Tensor teacher)
    {
        using var scope = torch.NewDisposeScope();
        var (studentRows, teacherRows) = Rows(student, teacher);
        var total = DistanceTerm(studentRows, teacherRows).mul(DistanceWeight).add(AngleTerm(studentRows, teacherRows), AngleWeight);
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The unweighted distance-wise term L_distance; the caller (or the current dispose scope) owns it.</summary>
    /// <exception cref="ArgumentException">The batch sizes differ or a tensor has no example dimension.</exception>
    public Tensor DistanceLoss(Tensor student, Tensor teacher)
    {
        using var scope = torch.NewDisposeScope();
        var (studentRows, teacherRows) = Rows(student, teacher);
        return DistanceTerm(studentRows, teacherRows).MoveToOuterDisposeScope();
    }

    /// <summary>The unweighted angle-wise term L_angle; the caller (or the current dispose scope) owns it.</summary>
    /// <exception cref="ArgumentException">The batch sizes differ or a tensor has no example dimension.</exception>
    public Tensor AngleLoss(Tensor student, Tensor teacher)
    {
        using var scope = torch.NewDisposeScope();
        var (studentRows, teacherRows) = Rows(student, teacher);
        return AngleTerm(studentRows, teacherRows).MoveToOuterDisposeScope();
    }

    /// <summary>Nothing to free: the loss has no learned parts.</summary>
    public void Dispose()
    {
    }

    /// <summary>[B, D] views of both inputs, the teacher's detached; checked for a common batch size.</summary>
    private (Tensor Student, Tensor Teacher) Rows(Tensor student, Tensor teacher)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        var studentShape = student.shape;
        var teacherShape = teacher.shape;
        if (studentShape.Length < 2 || teacherShape.Length < 2 || studentShape[0] != teacherShape[0])
            throw new ArgumentException("Relational distillation needs [B, ...] embeddings with one batch size: " +
                $"{FeatureSelection.DescribePair(StudentFeature, studentShape, TeacherFeature, teacherShape)}.");
        return (student.flatten(1), teacher.detach().flatten(1));
    }

    private static Tensor DistanceTerm(Tensor student, Tensor teacher)
    {
        if (student.size(0) < 2) return student.sum().mul(0.0);
        return nn.functional.smooth_l1_loss(NormalizedDistances(student), NormalizedDistances(teacher));
    }

    private static Tensor AngleTerm(Tensor student, Tensor teacher)
    {
        if (student.size(0) < 2) return student.sum().mul(0.0);
        return nn.functional.smooth_l1_loss(Angles(student), Angles(teacher));
    }

    /// <summary>Pairwise distances [B, B] with a zero diagonal, divided by their off-diagonal mean.</summary>
    private static Tensor NormalizedDistances(Tensor rows)
    {
        var count = rows.size(0);
        var squaredNorms = rows.square().sum(1);
        var products = rows.matmul(rows.transpose(0, 1));
        var squared = squaredNorms.unsqueeze(1).add(squaredNorms.unsqueeze(0)).sub(products.mul(2.0));
        // Clamped before the root: rounding can make ‖a‖² + ‖a‖² − 2a·a slightly negative, and the
        // root's gradient at zero is infinite. The diagonal is then zeroed, as in the reference.
        var distances = squared.clamp_min(DistanceEpsilon).sqrt().mul(OffDiagonal(count, rows));
        // Every off-diagonal entry is at least √ε > 0, so this is the reference's mean over d > 0.
        var mean = distances.sum().div(count * (count - 1));
        return distances.div(mean);
    }

    /// <summary>Cosines ψ(i, j, k) = e_ij · e_ik with e_ij = normalize(x_j − x_i), flattened from [B, B, B].</summary>
    private static Tensor Angles(Tensor rows)
    {
        var differences = rows.unsqueeze(0).sub(rows.unsqueeze(1));
        var directions = nn.functional.normalize(differences, p: 2, dim: 2);
        return directions.matmul(directions.transpose(1, 2)).flatten();
    }

    /// <summary>1 off the diagonal, 0 on it, in the rows' dtype and device.</summary>
    private static Tensor OffDiagonal(long count, Tensor like)
    {
        var index = arange(0, count, device: like.device);
        return index.unsqueeze(1).ne(index.unsqueeze(0)).to(like.dtype);
    }
}
