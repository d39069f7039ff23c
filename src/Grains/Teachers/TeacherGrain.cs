using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training;
using FedDistill.Torch.Nn;

namespace FedDistill.Grains.Teachers;

/// <summary>
/// A teacher held in this process: owns its model and private data, and handles one request at
/// a time (libtorch modules are not safe to train and query concurrently).
/// </summary>
public sealed class TeacherGrain : ITeacherGrain, IDisposable
{
    private readonly Module _model;
    private readonly Dataset _privateData;
    private readonly TrainerOptions _trainerOptions;
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Creates the teacher, taking ownership of <paramref name="model"/>.</summary>
    public TeacherGrain(string teacherId, Module model, Dataset privateData, TrainerOptions trainerOptions)
    {
        ArgumentException.ThrowIfNullOrEmpty(teacherId);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(privateData);
        ArgumentNullException.ThrowIfNull(trainerOptions);
        if (!privateData.HasLabels) throw new ArgumentException("A teacher trains on labeled private data.", nameof(privateData));
        TeacherId = teacherId;
        _model = model;
        _privateData = privateData;
        _trainerOptions = trainerOptions.Validate();
    }

    /// <inheritdoc />
    public string TeacherId { get; }

    /// <summary>Number of trainable parameters of the teacher's model.</summary>
    public long ParameterCount => _model.ParameterCount();

    /// <inheritdoc />
    public Task<TrainingSummary> TrainAsync(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        OneAtATime(() => new Trainer(_trainerOptions).Train(_model, _privateData, null, new CrossEntropyLoss(), progress, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<double> EvaluateAsync(Dataset testSet, CancellationToken cancellationToken) =>
        OneAtATime(() => Predictor.Accuracy(_model, testSet), cancellationToken);

    /// <inheritdoc />
    public Task<SoftLabels> ComputeSoftLabelsAsync(Dataset publicSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publicSet);
        return OneAtATime(() =>
        {
            using var logits = Predictor.PredictLogits(_model, publicSet);
            var shape = logits.Shape;
            return new SoftLabels(TeacherId, DatasetFingerprint.Compute(publicSet), (int)shape[0], (int)shape[1], logits.ToArray<float>());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _model.Dispose();
        _turn.Dispose();
    }

    // Runs synchronously on the caller's thread: libtorch work is CPU-bound, and the thread-local
    // autograd and dispose-scope state must stay on one thread for the whole request.
    private async Task<T> OneAtATime<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            _turn.Release();
        }
    }
}
