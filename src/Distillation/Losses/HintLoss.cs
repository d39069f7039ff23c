using FedDistill.Distillation.Models;
using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// FitNets' hint loss (Romero et al., 2015): the mean squared error between a student feature
/// (the guided layer), mapped through a learned regressor when its width differs, and a teacher
/// feature (the hint): mean((r(s) − t)²).
/// </summary>
/// <remarks>
/// <para>Widths are channels for [B, C, H, W] maps and the last dimension for [B, D] vectors. The
/// regressor is a 1×1 <see cref="Conv2d"/> for maps and a <see cref="Linear"/> layer for vectors.
/// It is created from given widths by <see cref="ForFeatureMaps"/> or <see cref="ForFeatureVectors"/>
/// rather than lazily on the first batch, because an optimizer built before that batch would never
/// see parameters created later and the regressor would silently stay at its initialization.</para>
/// <para>The loss owns the regressor (float32 on the CPU, like every <see cref="Module"/> here) and
/// frees it on <see cref="Dispose"/>. Spatial sizes must match: FitNets picks the guided layer so
/// that they do, and interpolating a hint would change what it says.</para>
/// </remarks>
public sealed class HintLoss : IFeatureDistillationLoss
{
    private readonly Module? _regressor;
    private readonly long _studentWidth;
    private readonly long _teacherWidth;
    private readonly int _regressorRank;
    private bool _disposed;

    /// <summary>A hint without a regressor: the two features must have the same shape.</summary>
    /// <param name="studentFeature">The student's guided feature (or <see cref="IFeatureDistillationLoss.LogitsFeature"/>).</param>
    /// <param name="teacherFeature">The teacher's hint feature; null means the same name as the student's.</param>
    public HintLoss(string studentFeature, string? teacherFeature = null)
        : this(studentFeature, teacherFeature, regressor: null, 0, 0, 0)
    {
    }

    private HintLoss(string studentFeature, string? teacherFeature, Module? regressor, long studentWidth, long teacherWidth, int regressorRank)
    {
        StudentFeature = FeatureSelection.RequireName(studentFeature, nameof(studentFeature));
        TeacherFeature = teacherFeature is null ? studentFeature : FeatureSelection.RequireName(teacherFeature, nameof(teacherFeature));
        _regressor = regressor;
        _studentWidth = studentWidth;
        _teacherWidth = teacherWidth;
        _regressorRank = regressorRank;
    }

    /// <summary>
    /// A hint between [B, C, H, W] feature maps whose student channels are mapped to the teacher's
    /// by a learned 1×1 convolution (with bias), owned by the returned loss.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count is below 1.</exception>
    public static HintLoss ForFeatureMaps(string studentFeature, string teacherFeature, long studentChannels, long teacherChannels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherChannels, 1);
        return new HintLoss(studentFeature, teacherFeature, new Conv2d(studentChannels, teacherChannels, kernelSize: 1),
            studentChannels, teacherChannels, regressorRank: 4);
    }

    /// <summary>
    /// A hint between [B, D] feature vectors whose student width is mapped to the teacher's by a
    /// learned linear layer (with bias), owned by the returned loss.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A width is below 1.</exception>
    public static HintLoss ForFeatureVectors(string studentFeature, string teacherFeature, long studentWidth, long teacherWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherWidth, 1);
        return new HintLoss(studentFeature, teacherFeature, new Linear(studentWidth, teacherWidth), studentWidth, teacherWidth, regressorRank: 2);
    }

    /// <summary>The student's guided feature.</summary>
    public string StudentFeature { get; }

    /// <summary>The teacher's hint feature.</summary>
    public string TeacherFeature { get; }

    /// <summary>The regressor (a 1×1 <see cref="Conv2d"/> or a <see cref="Linear"/>), or null; owned by this loss.</summary>
    public Module? Regressor => _regressor;

    /// <inheritdoc />
    public IReadOnlyList<string> StudentFeatures => [StudentFeature];

    /// <inheritdoc />
    public IReadOnlyList<string> TeacherFeatures => [TeacherFeature];

    /// <inheritdoc />
    public IReadOnlyList<Tensor> TrainableParameters => _regressor is null ? [] : _regressor.Parameters().ToArray();

    /// <inheritdoc />
    public Tensor Compute(FeatureOutput student, FeatureOutput teacher) =>
        Compute(FeatureSelection.Select(student, StudentFeature, nameof(student)), FeatureSelection.Select(teacher, TeacherFeature, nameof(teacher)));

    /// <summary>The hint loss between two feature tensors; the caller (or the current dispose scope) owns the result.</summary>
    /// <param name="studentFeature">[B, C_s, H, W] or [B, D_s], part of the autograd graph.</param>
    /// <param name="teacherFeature">[B, C_t, H, W] or [B, D_t]; a fixed target (detached).</param>
    /// <exception cref="ArgumentException">The shapes do not fit (batch, rank, spatial size, or widths without a matching regressor).</exception>
    public Tensor Compute(Tensor studentFeature, Tensor teacherFeature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(studentFeature);
        ArgumentNullException.ThrowIfNull(teacherFeature);
        var studentShape = studentFeature.Shape;
        var teacherShape = teacherFeature.Shape;
        Validate(studentShape, teacherShape);
        using var scope = DisposeScope.Enter();
        var mapped = _regressor is null ? studentFeature : _regressor.Forward(studentFeature);
        var loss = Functional.MseLoss(mapped, teacherFeature.Detach());
        return scope.MoveToOuter(loss);
    }

    /// <summary>Frees the regressor. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _regressor?.Dispose();
    }

    private void Validate(long[] studentShape, long[] teacherShape)
    {
        var pair = FeatureSelection.DescribePair(StudentFeature, studentShape, TeacherFeature, teacherShape);
        if (studentShape.Length < 2 || studentShape.Length != teacherShape.Length)
            throw new ArgumentException($"Hint loss needs features of one rank, at least [B, width]: {pair}.");
        if (studentShape[0] != teacherShape[0])
            throw new ArgumentException($"Hint loss needs one batch size: {pair}.");
        if (!studentShape.AsSpan(2).SequenceEqual(teacherShape.AsSpan(2)))
            throw new ArgumentException($"Hint loss needs equal spatial sizes: {pair}. Choose a guided layer whose output matches the hint's size.");
        if (_regressor is null)
        {
            if (studentShape[1] != teacherShape[1])
                throw new ArgumentException($"Hint loss without a regressor needs equal widths: {pair}. " +
                    $"Create it with {nameof(HintLoss)}.{nameof(ForFeatureMaps)} or {nameof(ForFeatureVectors)} to learn a mapping.");
            return;
        }
        if (studentShape.Length != _regressorRank)
            throw new ArgumentException($"Hint loss's {(_regressorRank == 4 ? "1×1 convolution" : "linear")} regressor needs " +
                $"{(_regressorRank == 4 ? "[B, C, H, W] maps" : "[B, D] vectors")}: {pair}.");
        if (studentShape[1] != _studentWidth || teacherShape[1] != _teacherWidth)
            throw new ArgumentException($"Hint loss's regressor maps width {_studentWidth} to {_teacherWidth}: {pair}.");
    }
}
