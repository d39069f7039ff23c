using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// Activation-based attention transfer (Zagoruyko and Komodakis, 2017): the student's spatial
/// attention map is pulled towards the teacher's, β/2 · mean over examples and positions of
/// (Q_s − Q_t)², where Q = normalize(mean over channels of |A|^p) flattened per example and
/// L2-normalized, as the authors' code computes it (<c>(at(x) - at(y)).pow(2).mean()</c>).
/// </summary>
/// <remarks>
/// <para>The mean over the B·H·W entries is the paper's "β = 10³ divided by the number of
/// elements in the attention map and the batch size". mdistiller's <c>feat_loss_weight</c> of
/// 1000 without the halving corresponds to β = 2000. Several layer pairs are several instances,
/// each added to the total with its weight.</para>
/// <para>Attention maps carry no channels, so maps of different spatial sizes can still be
/// compared: where one is larger in a dimension, its feature map is adaptive-average-pooled down
/// to the smaller size before the attention map is taken, as mdistiller does. Batch sizes must
/// match and both features must be [B, C, H, W]; channel counts may differ.</para>
/// </remarks>
public sealed class AttentionTransferLoss : IFeatureDistillationLoss
{
    /// <summary>Creates the loss for one pair of feature maps.</summary>
    /// <param name="studentFeature">The student's [B, C, H, W] feature.</param>
    /// <param name="teacherFeature">The teacher's feature; null means the same name as the student's.</param>
    /// <param name="beta">β ≥ 0, the paper's 10³ by default; the loss is β/2 times the mean squared difference.</param>
    /// <param name="power">p &gt; 0 in |A|^p; the paper's 2 by default (larger values emphasize the most active positions).</param>
    /// <exception cref="ArgumentOutOfRangeException">β or p out of range.</exception>
    public AttentionTransferLoss(string studentFeature, string? teacherFeature = null, double beta = 1000.0, double power = 2.0)
    {
        StudentFeature = FeatureSelection.RequireName(studentFeature, nameof(studentFeature));
        TeacherFeature = teacherFeature is null ? studentFeature : FeatureSelection.RequireName(teacherFeature, nameof(teacherFeature));
        if (!(beta >= 0) || double.IsInfinity(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be a finite number ≥ 0.");
        if (!(power > 0) || double.IsInfinity(power))
            throw new ArgumentOutOfRangeException(nameof(power), power, "The power p must be a positive finite number.");
        Beta = beta;
        Power = power;
    }

    /// <summary>The student's feature map.</summary>
    public string StudentFeature { get; }

    /// <summary>The teacher's feature map.</summary>
    public string TeacherFeature { get; }

    /// <summary>β: the loss is β/2 · mean((Q_s − Q_t)²).</summary>
    public double Beta { get; }

    /// <summary>The exponent p of |A|^p.</summary>
    public double Power { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> StudentFeatures => [StudentFeature];

    /// <inheritdoc />
    public IReadOnlyList<string> TeacherFeatures => [TeacherFeature];

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => [];

    /// <inheritdoc />
    public Tensor Compute(FeatureOutput student, FeatureOutput teacher) =>
        Compute(FeatureSelection.Select(student, StudentFeature, nameof(student)), FeatureSelection.Select(teacher, TeacherFeature, nameof(teacher)));

    /// <summary>The loss between two feature maps; the caller (or the current dispose scope) owns the result.</summary>
    /// <param name="studentFeature">[B, C_s, H_s, W_s], part of the autograd graph.</param>
    /// <param name="teacherFeature">[B, C_t, H_t, W_t]; a fixed target (detached).</param>
    /// <exception cref="ArgumentException">Either feature is not 4-dimensional, or the batch sizes differ.</exception>
    public Tensor Compute(Tensor studentFeature, Tensor teacherFeature)
    {
        ArgumentNullException.ThrowIfNull(studentFeature);
        ArgumentNullException.ThrowIfNull(teacherFeature);
        var studentShape = studentFeature.shape;
        var teacherShape = teacherFeature.shape;
        if (studentShape.Length != 4 || teacherShape.Length != 4 || studentShape[0] != teacherShape[0])
            throw new ArgumentException("Attention transfer needs [B, C, H, W] feature maps with one batch size: " +
                $"{FeatureSelection.DescribePair(StudentFeature, studentShape, TeacherFeature, teacherShape)}.");
        var height = Math.Min(studentShape[2], teacherShape[2]);
        var width = Math.Min(studentShape[3], teacherShape[3]);
        using var scope = torch.NewDisposeScope();
        var studentMap = AttentionMap(PoolTo(studentFeature, studentShape, height, width));
        var teacherMap = AttentionMap(PoolTo(teacherFeature.detach(), teacherShape, height, width));
        var loss = studentMap.sub(teacherMap).square().mean().mul(Beta / 2);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Q = normalize(mean over channels of |A|^p), one L2-normalized row of H·W entries per
    /// example ([B, H·W]); the caller (or the current dispose scope) owns it.
    /// </summary>
    /// <param name="featureMap">[B, C, H, W] activations.</param>
    public Tensor AttentionMap(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        using var scope = torch.NewDisposeScope();
        var energy = featureMap.abs().pow(Power).mean([1]);
        var map = nn.functional.normalize(energy.flatten(1), p: 2, dim: 1);
        return map.MoveToOuterDisposeScope();
    }

    private static Tensor PoolTo(Tensor feature, long[] shape, long height, long width) =>
        shape[2] == height && shape[3] == width ? feature : nn.functional.adaptive_avg_pool2d(feature, [height, width]);

    /// <summary>Nothing to free: the loss has no learned parts.</summary>
    public void Dispose()
    {
    }
}
