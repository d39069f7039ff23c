using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Grains.Teachers;

/// <summary>
/// A teacher held in this process: owns its model and private data, and handles one request at
/// a time (libtorch modules are not safe to train and query concurrently).
/// </summary>
/// <remarks>
/// Every request runs synchronously inside its own dispose scope, so no tensor outlives it or
/// crosses an await: arrays go in and come out.
/// </remarks>
public sealed class TeacherGrain : ITeacherGrain, IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Dataset _privateData;
    private readonly TrainerOptions _trainerOptions;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly int? _threads;
    private readonly double _labelSmoothing;

    /// <summary>Creates the teacher, taking ownership of <paramref name="model"/>.</summary>
    /// <param name="teacherId">The teacher's id within its organization.</param>
    /// <param name="model">Its network; owned and disposed by the teacher.</param>
    /// <param name="privateData">Labeled private examples; they never leave the teacher.</param>
    /// <param name="trainerOptions">How <see cref="TrainAsync(IProgress{TrainingProgress}?, CancellationToken)"/> trains.</param>
    /// <param name="threads">libtorch intra-op threads for the teacher's work, or null to leave the process setting.</param>
    /// <param name="labelSmoothing">Label smoothing in [0, 1) of its cross entropy on private data: softer, better calibrated logits ensemble better.</param>
    public TeacherGrain(string teacherId, nn.Module<Tensor, Tensor> model, Dataset privateData, TrainerOptions trainerOptions, int? threads = null, double labelSmoothing = 0.0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must lie in [0, 1).");
        _labelSmoothing = labelSmoothing;
        ArgumentException.ThrowIfNullOrEmpty(teacherId);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(privateData);
        ArgumentNullException.ThrowIfNull(trainerOptions);
        if (!privateData.HasLabels) throw new ArgumentException("A teacher trains on labeled private data.", nameof(privateData));
        TeacherId = teacherId;
        _model = model;
        _privateData = privateData;
        _trainerOptions = trainerOptions.Validate();
        _threads = threads;
        var counts = new int[privateData.ClassCount];
        foreach (var label in privateData.Labels!) counts[label]++;
        ClassCounts = counts;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> ClassCounts { get; }

    /// <inheritdoc />
    public int PrivateExamples => _privateData.Count;

    /// <summary>The teacher's network (read-only use: saving, inspecting); the teacher owns it.</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <inheritdoc />
    public string TeacherId { get; }

    /// <summary>Number of trainable parameters of the teacher's model.</summary>
    public long ParameterCount => _model.parameters().Sum(parameter => parameter.numel());

    /// <inheritdoc />
    public Task<TrainingSummary> TrainAsync(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        OneAtATime(() => new Trainer(_trainerOptions).Train(_model, _privateData, null, new CrossEntropyLoss(_labelSmoothing), progress, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<TrainingSummary> TrainAsync(TrainerOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OneAtATime(() => new Trainer(options).Train(_model, _privateData, null, new CrossEntropyLoss(_labelSmoothing), progress, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<TrainingSummary> DigestAsync(Dataset publicSet, float[] consensusLogits, TrainerOptions options, double temperature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publicSet);
        ArgumentNullException.ThrowIfNull(consensusLogits);
        ArgumentNullException.ThrowIfNull(options);
        if (consensusLogits.Length != (long)publicSet.Count * publicSet.ClassCount)
            throw new ArgumentException($"The consensus has {consensusLogits.Length} logits; the public set needs {publicSet.Count} × {publicSet.ClassCount}.", nameof(consensusLogits));
        return OneAtATime(() =>
        {
            var target = torch.tensor(consensusLogits, new long[] { publicSet.Count, publicSet.ClassCount });
            return new Trainer(options).Train(_model, publicSet.HasLabels ? publicSet.WithoutLabels() : publicSet, target,
                new KnowledgeDistillationLoss(temperature), null, cancellationToken);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<double> EvaluateAsync(Dataset testSet, CancellationToken cancellationToken) =>
        OneAtATime(() => Predictor.Accuracy(_model, testSet), cancellationToken);

    /// <inheritdoc />
    public Task<SoftLabels> ComputeSoftLabelsAsync(Dataset publicSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publicSet);
        return OneAtATime(() =>
        {
            var logits = Predictor.PredictLogits(_model, publicSet);
            var shape = logits.shape;
            return new SoftLabels(TeacherId, DatasetFingerprint.Compute(publicSet), (int)shape[0], (int)shape[1], logits.cpu().contiguous().data<float>().ToArray());
        }, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _model.Dispose();
        _turn.Dispose();
    }

    // Runs synchronously on the caller's thread: libtorch work is CPU-bound, and the thread-local
    // autograd and dispose-scope state must stay on one thread for the whole request. The scope
    // frees every tensor the request made (the consensus target, the logits) when it returns.
    private async Task<T> OneAtATime<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_threads is { } threads) torch.set_num_threads(threads);
            using var scope = torch.NewDisposeScope();
            return work();
        }
        finally
        {
            _turn.Release();
        }
    }
}
