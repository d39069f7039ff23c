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

    /// <summary>
    /// Trains on the private data with other settings than the teacher's own (e.g. a short
    /// revisit after a co-distillation digest).
    /// </summary>
    Task<TrainingSummary> TrainAsync(TrainerOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Co-distillation's digest: fits the teacher to the federation's consensus on the public set
    /// with the soft-label KD loss at <paramref name="temperature"/>, before it revisits its private data.
    /// </summary>
    /// <param name="publicSet">The unlabeled public set.</param>
    /// <param name="consensusLogits">N × C consensus logits aligned with <paramref name="publicSet"/>, row-major.</param>
    /// <param name="options">Epochs, learning rate...</param>
    /// <param name="temperature">The KD temperature T.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    Task<TrainingSummary> DigestAsync(Dataset publicSet, float[] consensusLogits, TrainerOptions options, double temperature, CancellationToken cancellationToken);

    /// <summary>Training examples per class of the private data: what the organization reports for per-class weighting.</summary>
    IReadOnlyList<int> ClassCounts { get; }

    /// <summary>Number of private training examples.</summary>
    int PrivateExamples { get; }

    /// <summary>Test accuracy of the teacher on a labeled dataset.</summary>
    Task<double> EvaluateAsync(Dataset testSet, CancellationToken cancellationToken);

    /// <summary>
    /// The teacher's logits on every example of <paramref name="publicSet"/>, as a row-major
    /// [N, C] float32 array, with the public set's fingerprint so the receiver can check that
    /// both sides meant the same data.
    /// </summary>
    Task<SoftLabels> ComputeSoftLabelsAsync(Dataset publicSet, CancellationToken cancellationToken);
}
