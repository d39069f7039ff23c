using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// A logit loss plus weighted feature-level losses: L = L_logits(s, t, y) + Σᵢ wᵢ · Lᵢ(features),
/// the usual form of FitNets, attention transfer and relational KD training.
/// </summary>
/// <remarks>
/// The composite owns its feature losses and disposes them (and so their regressors) with itself;
/// the logit loss holds no native state and is not disposed.
/// </remarks>
public sealed class CompositeLoss : IDisposable
{
    private bool _disposed;

    /// <summary>Combines <paramref name="logitLoss"/> with <paramref name="featureLosses"/>, taking ownership of the latter.</summary>
    public CompositeLoss(IDistillationLoss logitLoss, IEnumerable<WeightedFeatureLoss>? featureLosses = null)
    {
        ArgumentNullException.ThrowIfNull(logitLoss);
        LogitLoss = logitLoss;
        FeatureLosses = featureLosses?.ToArray() ?? [];
        if (FeatureLosses.Any(term => term is null)) throw new ArgumentException("A feature loss is null.", nameof(featureLosses));
    }

    /// <summary>The loss on the logits, weight 1.</summary>
    public IDistillationLoss LogitLoss { get; }

    /// <summary>The feature-level terms in the order they were given.</summary>
    public IReadOnlyList<WeightedFeatureLoss> FeatureLosses { get; }

    /// <summary>True when a teacher's forward pass is needed: the logit loss needs it or there is any feature term.</summary>
    public bool NeedsTeacher => LogitLoss.NeedsTeacher || FeatureLosses.Count > 0;

    /// <summary>True when the logit loss needs hard labels.</summary>
    public bool NeedsLabels => LogitLoss.NeedsLabels;

    /// <summary>Every student feature some term reads, without repeats.</summary>
    public IReadOnlyList<string> StudentFeatures => FeatureLosses.SelectMany(term => term.Loss.StudentFeatures).Distinct().ToArray();

    /// <summary>Every teacher feature some term reads, without repeats.</summary>
    public IReadOnlyList<string> TeacherFeatures => FeatureLosses.SelectMany(term => term.Loss.TeacherFeatures).Distinct().ToArray();

    /// <summary>The learned parameters of every term (owned by the terms); train them with the student's.</summary>
    public IReadOnlyList<Parameter> TrainableParameters => FeatureLosses.SelectMany(term => term.Loss.TrainableParameters).ToArray();

    /// <summary>The scalar total; the caller (or the current dispose scope) owns it.</summary>
    /// <param name="student">The student's logits and features, part of the autograd graph.</param>
    /// <param name="teacher">The teacher's logits and features on the same batch; may be null only when <see cref="NeedsTeacher"/> is false.</param>
    /// <param name="labels">[B] int64 labels, or null.</param>
    /// <exception cref="ArgumentException">The teacher is missing, or a term rejects the features.</exception>
    public Tensor Compute(FeatureOutput student, FeatureOutput? teacher, Tensor? labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(student);
        if (teacher is null && NeedsTeacher)
            throw new ArgumentException("The loss needs the teacher's forward pass but none was given.", nameof(teacher));
        using var scope = torch.NewDisposeScope();
        var total = LogitLoss.Compute(student.Logits, teacher?.Logits, labels);
        foreach (var term in FeatureLosses)
        {
            // A zero weight (a term switched off by configuration) costs nothing.
            if (term.Weight == 0) continue;
            total = total.add(term.Loss.Compute(student, teacher!), term.Weight);
        }
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>Disposes every feature loss. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var term in FeatureLosses) term.Loss.Dispose();
    }
}
