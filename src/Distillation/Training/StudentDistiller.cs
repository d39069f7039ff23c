using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Training;

/// <summary>
/// Distills a student from an ensemble's logits on a public set: the one student-training path of
/// the platform, shared by centralized distillation (<c>feddistill distill</c>) and the federation's
/// aggregator, so both train, checkpoint (<see cref="TrainerOptions.CheckpointPath"/>) and report
/// the same way.
/// </summary>
/// <param name="trainer">How to optimize the student.</param>
/// <param name="loss">The distillation loss.</param>
/// <param name="labelWithEnsemble">
/// Train on the ensemble's arg-max as hard labels (losses such as DKD that need a target class);
/// also happens whenever the loss needs labels and the public set has none.
/// </param>
public sealed class StudentDistiller(TrainerOptions trainer, IDistillationLoss loss, bool labelWithEnsemble = false)
{
    private readonly Trainer _trainer = new(trainer ?? throw new ArgumentNullException(nameof(trainer)));
    private readonly IDistillationLoss _loss = loss ?? throw new ArgumentNullException(nameof(loss));

    /// <summary>The device the student trains on.</summary>
    public Device Device => _trainer.Device;

    /// <summary>One line naming the device, for logs.</summary>
    public string DeviceDescription => ComputeDevice.Describe(_trainer.Device);

    /// <summary>Trains <paramref name="student"/> in place on the public set against the ensemble's logits.</summary>
    /// <param name="student">The student; it keeps the trained weights.</param>
    /// <param name="publicSet">The public examples, labeled or not.</param>
    /// <param name="ensembleLogits">[N, C] ensemble logits aligned with <paramref name="publicSet"/>.</param>
    /// <param name="progress">Receives a report after each step; may be null.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="validation">Labeled data evaluated after each epoch (early stopping), or null.</param>
    /// <exception cref="ArgumentException">The logits do not fit the public set.</exception>
    public TrainingSummary Distill(nn.Module<Tensor, Tensor> student, Dataset publicSet, Tensor ensembleLogits,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(publicSet);
        ArgumentNullException.ThrowIfNull(ensembleLogits);
        var trainingSet = labelWithEnsemble || (_loss.NeedsLabels && !publicSet.HasLabels) ? PseudoLabeled(publicSet, ensembleLogits) : publicSet;
        return _trainer.Train(student, trainingSet, _loss.NeedsTeacher ? ensembleLogits : null, _loss, progress, cancellationToken, validation);
    }

    /// <summary>The public set labeled with the ensemble's arg-max, sharing its feature array.</summary>
    private static Dataset PseudoLabeled(Dataset publicSet, Tensor ensembleLogits)
    {
        using var predictions = ensembleLogits.argmax(1).cpu();
        var labels = Array.ConvertAll(predictions.data<long>().ToArray(), label => (int)label);
        return new Dataset(publicSet.FeatureArray, publicSet.ExampleShape, labels, publicSet.ClassCount, publicSet.ClassNames);
    }
}
