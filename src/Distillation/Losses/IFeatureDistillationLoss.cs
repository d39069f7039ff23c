using FedDistill.Distillation.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>
/// A distillation objective on intermediate features (hints, attention maps, relations between
/// examples) rather than on logits alone. A trainer adds it to its logit loss with a weight
/// (see <see cref="CompositeLoss"/>), asks both models for the named features through
/// <see cref="IFeatureModel.ForwardWithFeatures"/>, and trains <see cref="TrainableParameters"/>
/// together with the student's parameters.
/// </summary>
/// <remarks>
/// A feature loss owns its learned parts (a hint's regressor) and frees them on
/// <see cref="IDisposable.Dispose"/>. Teacher features are treated as fixed targets: gradients
/// never flow into them.
/// </remarks>
public interface IFeatureDistillationLoss : IDisposable
{
    /// <summary>The feature name that selects <see cref="FeatureOutput.Logits"/> instead of a named feature.</summary>
    const string LogitsFeature = "logits";

    /// <summary>The names of the student's features the loss reads (see <see cref="IFeatureModel.FeatureNames"/>).</summary>
    IReadOnlyList<string> StudentFeatures { get; }

    /// <summary>The names of the teacher's features the loss reads.</summary>
    IReadOnlyList<string> TeacherFeatures { get; }

    /// <summary>
    /// Parameters the loss learns itself (a hint's regressor), empty when it has none. They stay
    /// owned by the loss; add them to the optimizer next to the student's parameters.
    /// </summary>
    IReadOnlyList<Parameter> TrainableParameters { get; }

    /// <summary>The scalar loss; the caller (or the current dispose scope) owns it.</summary>
    /// <param name="student">The student's forward pass, part of the autograd graph.</param>
    /// <param name="teacher">The teacher's forward pass on the same batch.</param>
    /// <exception cref="ArgumentException">A named feature is missing, or the two features' shapes do not fit the loss.</exception>
    Tensor Compute(FeatureOutput student, FeatureOutput teacher);
}
