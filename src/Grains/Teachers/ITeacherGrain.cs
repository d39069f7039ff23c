using FedDistill.Distillation.Data;
using FedDistill.Distillation.Training;

namespace FedDistill.Grains.Teachers;

/// <summary>
/// One private teacher model of one organization. It trains on data that never leaves it and
/// answers with soft labels (logits) on a public set: the only thing a teacher ever shares.
/// </summary>
/// <remarks>
/// An async interface apart from its implementation, as Orleans keeps grain interfaces, so the
/// role can move onto an Orleans grain or behind an HTTP endpoint without touching callers.
/// </remarks>
public interface ITeacherGrain
{
    /// <summary>The teacher's identity within its organization.</summary>
    string TeacherId { get; }

    /// <summary>Trains the teacher on its private data; progress reports arrive on the calling thread.</summary>
    Task<TrainingSummary> TrainAsync(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Test accuracy of the teacher on a labeled dataset.</summary>
    Task<double> EvaluateAsync(Dataset testSet, CancellationToken cancellationToken);

    /// <summary>
    /// The teacher's logits on every example of <paramref name="publicSet"/>, as a row-major
    /// [N, C] float32 array, with the public set's fingerprint so the receiver can check that
    /// both sides meant the same data.
    /// </summary>
    Task<SoftLabels> ComputeSoftLabelsAsync(Dataset publicSet, CancellationToken cancellationToken);
}
