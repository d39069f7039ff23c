using System.Diagnostics;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Teachers;
using TorchSharp;

namespace FedDistill.Grains.Clients;

/// <summary>
/// An organization's client: trains its teachers on private data, and for each round it is
/// assigned computes their logits on the public set and uploads them. In co-distillation rounds
/// it first digests the previous round's consensus and revisits its private data (FedMD).
/// </summary>
/// <remarks>
/// It talks to the aggregator only through <see cref="IAggregatorGrain"/>: in process, or over
/// HTTP with the organization's certificate, always dialing out. Private data and weights stay here.
/// </remarks>
public sealed class ClientGrain : IClientGrain, IDisposable
{
    private readonly ClientOptions _options;
    private readonly IAggregatorGrain _aggregator;
    private readonly List<(TeacherGrain Grain, TeacherOptions Options)> _teachers = [];
    private PublicSet? _publicSet;
    private Dataset? _evaluationSet;
    private readonly Dictionary<string, double> _localAccuracy = new(StringComparer.Ordinal);
    private string _status = "starting";

    /// <summary>Creates the client; nothing is loaded until <see cref="PrepareAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each setting.</exception>
    public ClientGrain(ClientOptions options, IAggregatorGrain aggregator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(aggregator);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        _options = options;
        _aggregator = aggregator;
    }

    /// <summary>Raised with a line for the host's log whenever the client starts or finishes a step.</summary>
    public event Action<string>? Log;

    /// <inheritdoc />
    public string ParticipantId => _options.ParticipantId;

    /// <inheritdoc />
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var federation = await _aggregator.GetFederationAsync(cancellationToken).ConfigureAwait(false);
        Say($"federation '{federation.Name}': public set {federation.PublicSet.Source}[{federation.PublicSet.Start}..+{federation.PublicSet.Count}] x{1 + federation.PublicSet.AugmentedCopies}, {federation.Examples} examples");
        var sources = new DataSources(_options.DataDirectory);
        var publicSet = PublicSet.Load(federation.PublicSet, sources);
        if (!string.Equals(publicSet.Fingerprint, federation.PublicSetFingerprint, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"The local copy of the public set has fingerprint {publicSet.Fingerprint}, but the federation announces {federation.PublicSetFingerprint}: " +
                "this organization's copy of the data differs; fix it before taking part.");
        _publicSet = publicSet;
        Say($"public set verified: {publicSet.Fingerprint[..16]}...");

        var privateData = _options.PrivateData.Load(publicSet, sources);
        Say($"private data: {privateData.Count} images");
        torch.set_num_threads(_options.Threads);
        Say($"teachers compute on {ComputeDevice.Describe(ComputeDevice.Resolve(_options.Device))}");
        if (_options.EvaluationExamples > 0) _evaluationSet = sources.EvaluationSet(publicSet, _options.EvaluationExamples);

        for (var i = 0; i < _options.Teachers.Count; i++)
        {
            var teacherOptions = _options.Teachers[i];
            var seed = _options.Seed + (ulong)(i * 101) + (ulong)_options.PrivateData.Index * 7919;
            torch.set_num_threads(_options.Threads);
            torch.manual_seed(unchecked((long)seed));
            var training = teacherOptions.AugmentedCopies == 0 ? privateData : ImageAugmentation.Expand(privateData, teacherOptions.AugmentedCopies, maxShift: 2, seed + 31);
            var model = ModelFactory.Create(teacherOptions.EffectiveModel, privateData.ExampleShape);
            var trainer = new TrainerOptions(Schedule: "cosine", Epochs: Math.Max(1, teacherOptions.Epochs), BatchSize: teacherOptions.BatchSize, LearningRate: teacherOptions.LearningRate,
                Optimizer: "adamw", WeightDecay: 5e-4, Seed: seed, Device: _options.Device);
            var teacher = new TeacherGrain(teacherOptions.Id, model, training, trainer, _options.Threads, teacherOptions.LabelSmoothing);
            _teachers.Add((teacher, teacherOptions));
            var checkpoint = CheckpointPath(teacherOptions.Id);
            if (checkpoint is not null && File.Exists(checkpoint))
            {
                ModelWeights.LoadFile(teacher.Model, checkpoint);
                Say($"{teacherOptions.Id}: restored from {checkpoint}");
            }
            else if (teacherOptions.Epochs > 0)
            {
                _status = "training";
                await ReportAsync(null, cancellationToken).ConfigureAwait(false);
                var watch = Stopwatch.StartNew();
                var summary = await teacher.TrainAsync(new EpochLog(this, teacherOptions.Id), cancellationToken).ConfigureAwait(false);
                Say($"{teacherOptions.Id}: trained {summary.Epochs} epochs on {training.Count} images in {watch.Elapsed.TotalSeconds:F0} s (loss {summary.FinalLoss:F4})");
                SaveCheckpoint(teacher, teacherOptions.Id);
            }

            await EvaluateAsync(teacher, cancellationToken).ConfigureAwait(false);
        }

        _status = "idle";
        await ReportAsync(null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> WorkOnceAsync(CancellationToken cancellationToken)
    {
        var publicSet = _publicSet ?? throw new InvalidOperationException("PrepareAsync must complete first.");
        var assignment = await _aggregator.GetAssignmentAsync(ParticipantId, cancellationToken).ConfigureAwait(false);
        if (assignment is null) return false;
        if (!string.Equals(assignment.PublicSetFingerprint, publicSet.Fingerprint, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Round {assignment.Round} names public set {assignment.PublicSetFingerprint}, not the verified local copy {publicSet.Fingerprint}.");

        Say($"round {assignment.Round}: assigned ({assignment.Settings.Strategy}, T = {assignment.Settings.Temperature}, deadline {assignment.Deadline:HH:mm:ss})");
        var watch = Stopwatch.StartNew();
        if (assignment.ConsensusRound is { } consensusRound && assignment.Settings.FineTuneEpochs > 0)
        {
            _status = "digesting";
            await ReportAsync(assignment.Round, cancellationToken).ConfigureAwait(false);
            var body = await _aggregator.GetConsensusAsync(ParticipantId, consensusRound, cancellationToken).ConfigureAwait(false);
            var consensus = SoftLabelsCodec.DecodeConsensus(body, publicSet.Fingerprint, publicSet.Examples.Count, publicSet.Examples.ClassCount);
            for (var i = 0; i < _teachers.Count; i++)
            {
                var (teacher, teacherOptions) = _teachers[i];
                var seed = _options.Seed + (ulong)assignment.Round * 1_000 + (ulong)i;
                await teacher.DigestAsync(publicSet.Examples, consensus,
                    new TrainerOptions(Schedule: "cosine", Epochs: assignment.Settings.FineTuneEpochs, BatchSize: teacherOptions.BatchSize, LearningRate: teacherOptions.LearningRate / 2,
                        Optimizer: "adamw", WeightDecay: 5e-4, Seed: seed, Device: _options.Device), assignment.Settings.Temperature, cancellationToken).ConfigureAwait(false);
                if (assignment.Settings.RevisitEpochs > 0)
                {
                    await teacher.TrainAsync(new TrainerOptions(Schedule: "cosine", Epochs: assignment.Settings.RevisitEpochs, BatchSize: teacherOptions.BatchSize,
                        LearningRate: teacherOptions.LearningRate / 4, Optimizer: "adamw", WeightDecay: 5e-4, Seed: seed + 1, Device: _options.Device), null, cancellationToken).ConfigureAwait(false);
                }

                SaveCheckpoint(teacher, teacherOptions.Id);
                await EvaluateAsync(teacher, cancellationToken).ConfigureAwait(false);
            }

            var revisited = assignment.Settings.RevisitEpochs > 0 ? $" and revisited private data for {assignment.Settings.RevisitEpochs} epochs" : "";
            Say($"round {assignment.Round}: digested the consensus of round {consensusRound} for {assignment.Settings.FineTuneEpochs} epochs{revisited} ({watch.Elapsed.TotalSeconds:F0} s)");
        }

        _status = "computing-logits";
        await ReportAsync(assignment.Round, cancellationToken).ConfigureAwait(false);
        var uploads = new List<(TeacherReport, float[])>(_teachers.Count);
        foreach (var (teacher, teacherOptions) in _teachers)
        {
            var softLabels = await teacher.ComputeSoftLabelsAsync(publicSet.Examples, cancellationToken).ConfigureAwait(false);
            uploads.Add((Report(teacher, teacherOptions), softLabels.Logits));
        }

        var upload = SoftLabelsCodec.Encode(assignment.Round, ParticipantId, publicSet.Fingerprint, assignment.Settings.LogitsDType,
            publicSet.Examples.ClassCount, uploads, watch.Elapsed.TotalSeconds);
        _status = "uploading";
        try
        {
            var receipt = await _aggregator.SubmitAsync(ParticipantId, assignment.Round, upload, cancellationToken).ConfigureAwait(false);
            Say($"round {assignment.Round}: uploaded {receipt.Bytes:N0} bytes ({receipt.Teachers} teachers, {assignment.Settings.LogitsDType}); {receipt.UploadsInRound} uploads in the round");
            return true;
        }
        catch (FederationException refused) when (refused.Kind == FederationErrorKind.Conflict)
        {
            // The round closed (deadline, quorum) or already has this upload: nothing to redo.
            Say($"round {assignment.Round}: upload not taken: {refused.Message}");
            return false;
        }
        finally
        {
            _status = "idle";
        }
    }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_publicSet is null) await PrepareAsync(cancellationToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds);
        var lastReport = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await WorkOnceAsync(cancellationToken).ConfigureAwait(false))
            {
                if (DateTimeOffset.UtcNow - lastReport > TimeSpan.FromSeconds(5))
                {
                    await ReportAsync(null, cancellationToken).ConfigureAwait(false);
                    lastReport = DateTimeOffset.UtcNow;
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (teacher, _) in _teachers) teacher.Dispose();
        _teachers.Clear();
    }

    private async Task EvaluateAsync(TeacherGrain teacher, CancellationToken cancellationToken)
    {
        if (_evaluationSet is null) return;
        var accuracy = await teacher.EvaluateAsync(_evaluationSet, cancellationToken).ConfigureAwait(false);
        _localAccuracy[teacher.TeacherId] = accuracy;
        Say($"{teacher.TeacherId}: test accuracy {accuracy:F4}");
    }

    private TeacherReport Report(TeacherGrain teacher, TeacherOptions options) =>
        new(teacher.TeacherId, options.EffectiveModel.Kind, teacher.ParameterCount, teacher.PrivateExamples, teacher.ClassCounts.ToArray(),
            _localAccuracy.TryGetValue(teacher.TeacherId, out var accuracy) ? accuracy : null);

    private Task ReportAsync(int? round, CancellationToken cancellationToken) =>
        _aggregator.ReportAsync(ParticipantId, new ParticipantReport(_status, _teachers.Select(t => Report(t.Grain, t.Options)).ToList(), round), cancellationToken);

    private string? CheckpointPath(string teacherId) =>
        _options.StateDirectory is null ? null : Path.Combine(_options.StateDirectory, $"{ParticipantId}.{teacherId}.safetensors");

    private void SaveCheckpoint(TeacherGrain teacher, string teacherId)
    {
        if (CheckpointPath(teacherId) is not { } path) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ModelWeights.SaveFile(teacher.Model, path);
    }

    private void Say(string line) => Log?.Invoke($"{ParticipantId}: {line}");

    private sealed class EpochLog(ClientGrain client, string teacherId) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted) client.Say($"{teacherId}: epoch {value.Epoch}/{value.Epochs} loss {value.Loss:F4} ({value.SamplesPerSecond:F0} samples/s)");
        }
    }
}
