using System.Diagnostics;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Grains.Clients;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Grains.Teachers;

/// <summary>
/// One private teacher of an organization, on that organization's silo only: it trains on the
/// private data configured there, checkpoints its weights to the organization's own storage, and
/// answers with logits on the public set.
/// </summary>
/// <remarks>
/// Every piece of libtorch work runs synchronously on a thread of its own inside one dispose
/// scope, so no tensor outlives it or crosses an await, and the silo's scheduler never runs it:
/// arrays go in and come out. Requests are one at a time (the grain is not reentrant); only
/// <see cref="GetReportAsync"/> interleaves. Training stops between steps when the silo stops
/// (for instance when the cluster declared it dead), and the model is freed only once no work
/// uses it: native code still running while the process tears libtorch down ends in SIGSEGV or
/// an abort instead of the silo's exit code.
/// </remarks>
[GrainType(GrainTypeName)]
[OrganizationPlacement]
public sealed partial class TeacherGrain : Grain, ITeacherGrain
{
    /// <summary>The teacher grain's type name.</summary>
    public const string GrainTypeName = "teacher";

    private readonly IPersistentState<TeacherCheckpoint> _checkpoint;
    private readonly OrganizationOptions _organization;
    private readonly PublicSetCatalog _catalog;
    private readonly ILogger<TeacherGrain> _logger;
    private TeacherOptions _options = new();
    private int _index;
    private nn.Module<Tensor, Tensor>? _model;
    private Dataset? _privateData;
    // The public-set fingerprint _privateData was loaded against (it is normalized with that set's constants).
    private string? _dataFingerprint;
    private Dataset? _evaluationSet;
    private TeacherReport? _report;
    // How far the training in flight is, in [0, 1] (written by the training thread), or NaN when none runs.
    private double _progress = double.NaN;
    // Cancelled when the silo stops or the grain deactivates: training ends at its next step.
    private readonly CancellationTokenSource _stopping;
    // The libtorch work in flight (at most one: requests do not interleave), awaited before the model is freed.
    private Task _inFlight = Task.CompletedTask;

    /// <summary>Created by Orleans on the organization's silo.</summary>
    public TeacherGrain(
        [PersistentState("teacher", StorageNames.Organization)] IPersistentState<TeacherCheckpoint> checkpoint,
        IOptions<OrganizationOptions> organization,
        PublicSetCatalog catalog,
        IHostApplicationLifetime lifetime,
        ILogger<TeacherGrain> logger)
    {
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _checkpoint = checkpoint;
        _organization = organization.Value;
        _catalog = catalog;
        _logger = logger;
    }

    private string TeacherId => _options.Id;

    /// <summary>Finds the teacher's configuration on this silo; a key for another organization or an unknown teacher fails the activation.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var organization = SiteNames.OrganizationOf(key);
        if (!string.Equals(organization, _organization.Id, StringComparison.Ordinal))
            throw new InvalidOperationException($"Teacher '{key}' belongs to organization '{organization}', but this silo is '{_organization.Id}'.");
        var teacherId = key[(organization.Length + 1)..];
        var teachers = _organization.EffectiveTeachers.ToList();
        _index = teachers.FindIndex(t => t.Id == teacherId);
        if (_index < 0) throw new InvalidOperationException($"Organization '{organization}' has no teacher '{teacherId}' configured.");
        _options = teachers[_index];
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the work in flight and frees the model's native memory once nothing uses it. Work
    /// that does not end within the deactivation's time keeps its model (the process frees it).
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (!_inFlight.IsCompleted)
        {
            LogWorkOutlivedDeactivation(_logger, _organization.Id, TeacherId);
            return;
        }

        _model?.Dispose();
        _model = null;
        _stopping.Dispose();
    }

    /// <inheritdoc />
    public async Task<TeacherReport> PrepareAsync(PublicSetSpec publicSet, string fingerprint)
    {
        if (_model is not null && _report is not null) return _report;
        var seed = _organization.Seed + (ulong)(_index * 101) + (ulong)_organization.PrivateData.Index * 7919;
        var restored = _checkpoint.RecordExists ? _checkpoint.State.Weights : null;
        await LoadDataAsync(publicSet, fingerprint);
        // The model outlives this request, so it is made outside the work's dispose scope.
        await OffTheScheduler(_ =>
        {
            torch.manual_seed(unchecked((long)seed));
            _model = ModelFactory.Create(_options.EffectiveModel, _privateData!.ExampleShape);
            return true;
        }, scoped: false);
        var trained = await OffTheScheduler(stopping =>
        {
            if (restored is not null)
            {
                ModelWeights.Load(_model!, restored);
                return (Summary: (TrainingSummary?)null, Weights: (byte[]?)null, Seconds: 0.0);
            }

            var watch = Stopwatch.StartNew();
            var training = _options.AugmentedCopies == 0 ? _privateData! : ImageAugmentation.Expand(_privateData!, _options.AugmentedCopies, maxShift: 2, seed + 31);
            var summary = new Trainer(Options(Math.Max(1, _options.Epochs), _options.LearningRate, seed))
                .Train(_model!, training, null, new CrossEntropyLoss(_options.LabelSmoothing), new EpochLog(_logger, _organization.Id, TeacherId, this), stopping);
            return (Summary: (TrainingSummary?)summary, Weights: (byte[]?)ModelWeights.Save(_model!), Seconds: watch.Elapsed.TotalSeconds);
        });
        Volatile.Write(ref _progress, double.NaN);
        if (trained.Weights is { } weights)
        {
            _checkpoint.State.Weights = weights;
            await _checkpoint.WriteStateAsync();
            LogTrained(_logger, _organization.Id, TeacherId, trained.Summary!.Epochs, trained.Seconds, trained.Summary.FinalLoss);
        }
        else
        {
            LogRestored(_logger, _organization.Id, TeacherId);
        }

        return await EvaluateAsync();
    }

    /// <inheritdoc />
    public async Task<TeacherReport> CountExamplesAsync(PublicSetSpec publicSet, string fingerprint)
    {
        // What PrepareAsync will return, so the counts a secure round is sized by are the ones it weights.
        if (_model is not null && _report is not null) return _report;
        await LoadDataAsync(publicSet, fingerprint);
        return new TeacherReport(TeacherId, _options.EffectiveModel.Kind, 0, _privateData!.Count, ClassCounts());
    }

    /// <inheritdoc />
    public Task<TeacherReport> GetReportAsync()
    {
        var report = _report ?? new TeacherReport(TeacherId, _options.EffectiveModel.Kind, 0, 0, [], null);
        var progress = Volatile.Read(ref _progress);
        return Task.FromResult(double.IsNaN(progress) ? report : report with { Progress = progress });
    }

    /// <inheritdoc />
    public async Task<TeacherReport> DigestAsync(DigestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await PrepareAsync(request.PublicSet, request.Fingerprint);
        var weights = await OffTheScheduler(stopping =>
        {
            var shared = _catalog.GetVerified(request.PublicSet, request.Fingerprint);
            var examples = shared.Examples;
            if (request.Consensus.Length != (long)examples.Count * examples.ClassCount)
                throw new FederationException(FederationErrorKind.Invalid, "wrong-shape", $"The consensus has {request.Consensus.Length} logits; the public set needs {examples.Count} × {examples.ClassCount}.");
            var target = torch.tensor(request.Consensus, new long[] { examples.Count, examples.ClassCount });
            // The digest and the revisit are one piece of work for the progress reported: digest first, then revisit.
            var total = (double)(request.DigestEpochs + request.RevisitEpochs);
            new Trainer(Options(request.DigestEpochs, _options.LearningRate / 2, request.Seed))
                .Train(_model!, examples, target, new KnowledgeDistillationLoss(request.Temperature), new ProgressTracker(this, 0, request.DigestEpochs / total), stopping);
            if (request.RevisitEpochs > 0)
            {
                new Trainer(Options(request.RevisitEpochs, _options.LearningRate / 4, request.Seed + 1))
                    .Train(_model!, _privateData!, null, new CrossEntropyLoss(_options.LabelSmoothing), new ProgressTracker(this, request.DigestEpochs / total, request.RevisitEpochs / total), stopping);
            }

            return ModelWeights.Save(_model!);
        });
        Volatile.Write(ref _progress, double.NaN);
        _checkpoint.State.Weights = weights;
        await _checkpoint.WriteStateAsync();
        LogDigested(_logger, _organization.Id, TeacherId, request.DigestEpochs, request.RevisitEpochs);
        return await EvaluateAsync();
    }

    /// <inheritdoc />
    public async Task<float[]> ComputeLogitsAsync(PublicSetSpec publicSet, string fingerprint)
    {
        await PrepareAsync(publicSet, fingerprint);
        return await OffTheScheduler(_ =>
        {
            var logits = Predictor.PredictLogits(_model!, _catalog.GetVerified(publicSet, fingerprint).Examples);
            return logits.cpu().contiguous().data<float>().ToArray();
        });
    }

    private async Task<TeacherReport> EvaluateAsync()
    {
        var accuracy = _evaluationSet is null ? (double?)null : await OffTheScheduler(_ => Predictor.Accuracy(_model!, _evaluationSet));
        _report = new TeacherReport(TeacherId, _options.EffectiveModel.Kind, _model!.ParameterCount(), _privateData!.Count, ClassCounts(), accuracy);
        if (accuracy is { } value) LogAccuracy(_logger, _organization.Id, TeacherId, value);
        return _report;
    }

    // The private data (and the evaluation set), unless already loaded against this public set. The
    // datasets outlive the request, so they are made outside the work's dispose scope.
    private async Task LoadDataAsync(PublicSetSpec publicSet, string fingerprint)
    {
        if (_privateData is not null && _dataFingerprint == fingerprint) return;
        await OffTheScheduler(_ =>
        {
            var shared = _catalog.GetVerified(publicSet, fingerprint);
            // With teacher partitions, this teacher's own disjoint part of the organization's data.
            _privateData = _organization.TeacherData(_organization.PrivateData.Load(shared, _catalog.Sources), _index);
            if (_organization.EvaluationExamples > 0) _evaluationSet = _catalog.Sources.EvaluationSet(shared, _organization.EvaluationExamples);
            _dataFingerprint = fingerprint;
            return true;
        }, scoped: false);
    }

    private int[] ClassCounts()
    {
        var counts = new int[_privateData!.ClassCount];
        foreach (var label in _privateData.Labels!) counts[label]++;
        return counts;
    }

    private TrainerOptions Options(int epochs, double learningRate, ulong seed) =>
        new(Schedule: "cosine", Epochs: epochs, BatchSize: _options.BatchSize, LearningRate: learningRate, Optimizer: "adamw", WeightDecay: 5e-4, Seed: seed,
            Device: _organization.Device);

    // libtorch work is CPU-bound and keeps per-thread state (intra-op threads, dispose scopes):
    // one dedicated thread per piece of work, with its own scope, never the silo's scheduler.
    // Work is not started once the silo stops; training observes the token between its steps.
    private Task<T> OffTheScheduler<T>(Func<CancellationToken, T> work, bool scoped = true)
    {
        var stopping = _stopping.Token;
        stopping.ThrowIfCancellationRequested();
        var task = Task.Factory.StartNew(() =>
        {
            torch.set_num_threads(_organization.Threads);
            using var scope = scoped ? torch.NewDisposeScope() : null;
            return work(stopping);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _inFlight = task;
        return task;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Organization}: {Teacher}: its libtorch work did not stop within the deactivation's time; the model is left to the process")]
    private static partial void LogWorkOutlivedDeactivation(ILogger logger, string organization, string teacher);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: {Teacher}: trained {Epochs} epochs in {Seconds:F0} s (loss {Loss:F4})")]
    private static partial void LogTrained(ILogger logger, string organization, string teacher, int epochs, double seconds, double loss);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: {Teacher}: restored from its checkpoint")]
    private static partial void LogRestored(ILogger logger, string organization, string teacher);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: {Teacher}: digested the consensus for {Digest} epochs and revisited private data for {Revisit}")]
    private static partial void LogDigested(ILogger logger, string organization, string teacher, int digest, int revisit);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: {Teacher}: test accuracy {Accuracy:F4}")]
    private static partial void LogAccuracy(ILogger logger, string organization, string teacher, double accuracy);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Organization}: {Teacher}: epoch {Epoch}/{Epochs} loss {Loss:F4} ({SamplesPerSecond:F0} samples/s)")]
    private static partial void LogEpoch(ILogger logger, string organization, string teacher, int epoch, int epochs, double loss, double samplesPerSecond);

    private sealed class EpochLog(ILogger logger, string organization, string teacher, TeacherGrain grain) : IProgress<TrainingProgress>
    {
        private readonly ProgressTracker _tracker = new(grain, 0, 1);

        public void Report(TrainingProgress value)
        {
            _tracker.Report(value);
            if (value.EpochCompleted) LogEpoch(logger, organization, teacher, value.Epoch, value.Epochs, value.Loss, value.SamplesPerSecond);
        }
    }

    // Keeps the grain's progress of the training in flight: this training covers [start, start + share] of the work.
    private sealed class ProgressTracker(TeacherGrain grain, double start, double share) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            var done = ((value.Epoch - 1) + (double)value.Step / Math.Max(1, value.StepsPerEpoch)) / Math.Max(1, value.Epochs);
            Volatile.Write(ref grain._progress, start + share * Math.Clamp(done, 0, 1));
        }
    }
}

/// <summary>A teacher's checkpoint in its organization's own storage: weights only, as safetensors.</summary>
[GenerateSerializer]
public sealed class TeacherCheckpoint
{
    /// <summary>The teacher's state dict (safetensors); never leaves the organization's silo.</summary>
    [Id(0)]
    public byte[]? Weights { get; set; }
}
