using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
/// <para>The loss owns the regressor (float32, on the CPU unless the factory is given a device)
/// and frees it, with its parameters, on <see cref="Dispose"/>. It is created on its device
/// rather than moved there later, because moving a module replaces its parameters and an
/// optimizer holding the old ones would no longer train it. Spatial sizes must match: FitNets
/// picks the guided layer so that they do, and interpolating a hint would change what it says.</para>
/// </remarks>
public sealed class HintLoss : IFeatureDistillationLoss
{
    private readonly nn.Module<Tensor, Tensor>? _regressor;
    private readonly Parameter[] _parameters;
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

    private HintLoss(string studentFeature, string? teacherFeature, nn.Module<Tensor, Tensor>? regressor, long studentWidth, long teacherWidth,
        int regressorRank)
    {
        StudentFeature = FeatureSelection.RequireName(studentFeature, nameof(studentFeature));
        TeacherFeature = teacherFeature is null ? studentFeature : FeatureSelection.RequireName(teacherFeature, nameof(teacherFeature));
        _regressor = regressor;
        // Fixed once: the optimizer and the caller see the same parameter objects for the loss's lifetime.
        _parameters = regressor is null ? [] : regressor.parameters().ToArray();
        _studentWidth = studentWidth;
        _teacherWidth = teacherWidth;
        _regressorRank = regressorRank;
    }

    /// <summary>
    /// A hint between [B, C, H, W] feature maps whose student channels are mapped to the teacher's
    /// by a learned 1×1 convolution (with bias), owned by the returned loss.
    /// </summary>
    /// <param name="studentFeature">The student's guided [B, C_s, H, W] feature.</param>
    /// <param name="teacherFeature">The teacher's hint [B, C_t, H, W] feature.</param>
    /// <param name="studentChannels">C_s ≥ 1.</param>
    /// <param name="teacherChannels">C_t ≥ 1.</param>
    /// <param name="device">Where the regressor lives (the features' device); the CPU when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count is below 1.</exception>
    public static HintLoss ForFeatureMaps(string studentFeature, string teacherFeature, long studentChannels, long teacherChannels,
        Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherChannels, 1);
        return new HintLoss(studentFeature, teacherFeature, nn.Conv2d(studentChannels, teacherChannels, kernel_size: 1, device: device),
            studentChannels, teacherChannels, regressorRank: 4);
    }

    /// <summary>
    /// A hint between [B, D] feature vectors whose student width is mapped to the teacher's by a
    /// learned linear layer (with bias), owned by the returned loss.
    /// </summary>
    /// <param name="studentFeature">The student's guided [B, D_s] feature.</param>
    /// <param name="teacherFeature">The teacher's hint [B, D_t] feature.</param>
    /// <param name="studentWidth">D_s ≥ 1.</param>
    /// <param name="teacherWidth">D_t ≥ 1.</param>
    /// <param name="device">Where the regressor lives (the features' device); the CPU when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width is below 1.</exception>
    public static HintLoss ForFeatureVectors(string studentFeature, string teacherFeature, long studentWidth, long teacherWidth,
        Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherWidth, 1);
        return new HintLoss(studentFeature, teacherFeature, nn.Linear(studentWidth, teacherWidth, device: device), studentWidth, teacherWidth,
            regressorRank: 2);
    }

    /// <summary>The student's guided feature.</summary>
    public string StudentFeature { get; }

    /// <summary>The teacher's hint feature.</summary>
    public string TeacherFeature { get; }

    /// <summary>The regressor (a 1×1 <see cref="Conv2d"/> or a <see cref="Linear"/>), or null; owned by this loss.</summary>
    public nn.Module<Tensor, Tensor>? Regressor => _regressor;

    /// <inheritdoc />
    public IReadOnlyList<string> StudentFeatures => [StudentFeature];

    /// <inheritdoc />
    public IReadOnlyList<string> TeacherFeatures => [TeacherFeature];

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => _parameters;

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
        var studentShape = studentFeature.shape;
        var teacherShape = teacherFeature.shape;
        Validate(studentShape, teacherShape);
        using var scope = torch.NewDisposeScope();
        var mapped = _regressor is null ? studentFeature : _regressor.forward(studentFeature);
        var loss = nn.functional.mse_loss(mapped, teacherFeature.detach());
        return loss.MoveToOuterDisposeScope();
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
