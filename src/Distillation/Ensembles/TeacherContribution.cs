using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// One teacher's logits on the public set, with what a strategy may need to weight them.
/// </summary>
/// <param name="TeacherId">A stable, unique name for the teacher (in the federation, the participant's id); errors name it.</param>
/// <param name="Logits">
/// The teacher's [N, C] logits on the public set. Not owned by the ensemble: accumulators copy
/// what they need and never dispose it. Any floating dtype; it is combined as float32.
/// </param>
public sealed record TeacherContribution(string TeacherId, Tensor Logits)
{
    /// <summary>The teacher's accuracy on held-out data, in [0, 1]; required by <c>accuracy-weighted</c>.</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>
    /// How far the teacher is to be trusted on each class, C non-negative numbers (e.g. the
    /// teacher's training examples per class, or its per-class validation accuracy); only ratios
    /// between teachers matter. Required by <c>per-class-weighted</c>.
    /// </summary>
    public IReadOnlyList<double>? PerClassWeights { get; init; }

    /// <summary>
    /// A fixed, non-negative weight for <c>fixed-weights</c> (e.g. the teacher's data-set size, as
    /// FedAvg weights clients). When set it takes precedence over
    /// <see cref="EnsembleOptions.FixedWeights"/> for this teacher.
    /// </summary>
    public double? Weight { get; init; }
}
