using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Persistence;
using FedDistill.Grains.Protocol;
using TorchSharp;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The federation's aggregator: admits participants, runs one round at a time, validates and
/// folds uploads into a streaming ensemble, distills and publishes the global student.
/// </summary>
/// <remarks>
/// <para>
/// One request at a time changes state (a turn, as an Orleans grain has). Student distillation
/// runs on its own thread outside the turn, so the round stays observable while it trains.
/// </para>
/// <para>
/// Durability: an upload is acknowledged only after its body is in the artifact store and its
/// submission in the federation store. After a restart <see cref="StartAsync"/> rebuilds the open
/// round's ensemble from those artifacts and resumes the round (or its distillation).
/// </para>
/// </remarks>
public sealed partial class AggregatorGrain : IAggregatorGrain, IAsyncDisposable
{
    /// <summary>The protocol version this aggregator speaks (the <c>/v1</c> of the routes).</summary>
    public const int ProtocolVersion = 1;

    private static readonly TimeSpan DeadlinePollInterval = TimeSpan.FromMilliseconds(200);

    private readonly AggregatorOptions _options;
    private readonly IFederationStore _store;
    private readonly IArtifactStore _artifacts;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private PublicSet? _publicSet;
    private Dataset? _evaluationSet;
    private int[] _validationLabels = [];
    private FederationRecord? _federation;
    private RoundRuntime? _current;
    private Task? _deadlineLoop;
    private Task? _distillation;
    private int _studentVersion;

    /// <summary>Creates the aggregator; <see cref="StartAsync"/> must complete before any other call.</summary>
    /// <param name="options">Validated at <see cref="StartAsync"/>.</param>
    /// <param name="store">Durable state; not disposed by the aggregator.</param>
    /// <param name="artifacts">Blob storage for uploads and students.</param>
    /// <param name="time">The clock (a fake one in tests).</param>
    public AggregatorGrain(AggregatorOptions options, IFederationStore store, IArtifactStore artifacts, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(artifacts);
        _options = options;
        _store = store;
        _artifacts = artifacts;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised (outside the turn, on any thread) after a round changes: an upload, a state change, progress.</summary>
    public event Action<RoundInfo>? RoundChanged;

    /// <summary>Raised for every refused request, with its reason (for metrics).</summary>
    public event Action<RejectionRecord>? Rejected;

    /// <summary>Raised after an upload is accepted and durable, with its receipt.</summary>
    public event Action<UploadReceipt>? UploadAccepted;

    /// <summary>Raised when a round completes, with its result.</summary>
    public event Action<RoundInfo>? RoundCompleted;

    /// <summary>Raised after a participant's heartbeat is recorded, with what the aggregator now knows of it (for the dashboard).</summary>
    public event Action<ParticipantInfo>? ParticipantReported;

    /// <summary>The public set this aggregator distills on (after <see cref="StartAsync"/>).</summary>
    public PublicSet PublicSet => _publicSet ?? throw new InvalidOperationException("The aggregator has not started.");

    /// <summary>
    /// Loads the public and evaluation sets, initializes the store, records the federation (or
    /// checks that the stored one has this public set), and resumes a round left running.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each setting.</exception>
    /// <exception cref="InvalidOperationException">The store holds a federation with another public set.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var errors = _options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
        var sources = new DataSources(_options.DataDirectory);
        _publicSet = PublicSet.Load(_options.PublicSet, sources);
        _validationLabels = _publicSet.Originals.Labels!.Take(_options.ValidationExamples).ToArray();
        if (_options.EvaluationExamples > 0) _evaluationSet = sources.EvaluationSet(_publicSet, _options.EvaluationExamples);

        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _federation = await _store.GetFederationAsync(cancellationToken).ConfigureAwait(false);
        if (_federation is null)
        {
            _federation = new FederationRecord(_options.FederationName, _publicSet.Fingerprint, _time.GetUtcNow(),
                JsonSerializer.Serialize(_options.PublicSet, ProtocolJsonContext.Default.PublicSetSpec));
            await _store.SaveFederationAsync(_federation, cancellationToken).ConfigureAwait(false);
        }
        else if (!string.Equals(_federation.PublicSetFingerprint, _publicSet.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The store holds federation '{_federation.Name}' on public set {_federation.PublicSetFingerprint}, but this aggregator's public set is {_publicSet.Fingerprint}; " +
                "start it with the federation's PublicSet settings or a new store.");
        }

        var rounds = await _store.ListRoundsAsync(cancellationToken).ConfigureAwait(false);
        _studentVersion = rounds.Where(r => RoundStates.Parse(r.State) == RoundState.Completed).Select(r => r.RoundNumber).DefaultIfEmpty(0).Max();
        var running = rounds.LastOrDefault(r => !RoundStates.Parse(r.State).IsFinal());
        if (running is not null) await ResumeAsync(running, cancellationToken).ConfigureAwait(false);
        _deadlineLoop = Task.Run(() => WatchDeadlinesAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public Task<FederationInfo> GetFederationAsync(CancellationToken cancellationToken)
    {
        var publicSet = PublicSet;
        return Task.FromResult(new FederationInfo(_federation!.Name, ProtocolVersion, publicSet.Spec, publicSet.Fingerprint,
            publicSet.Examples.Count, publicSet.Examples.ClassCount, Volatile.Read(ref _studentVersion), _options.Student));
    }

    /// <inheritdoc />
    public async Task<ParticipantInfo> RegisterParticipantAsync(RegisterParticipantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ParticipantIdPattern().IsMatch(request.ParticipantId ?? string.Empty))
            throw new FederationException(FederationErrorKind.Invalid, "bad-participant-id",
                $"Participant id '{request.ParticipantId}' must match [a-z0-9][a-z0-9-]{{0,62}} (it is the common name of the participant's certificate).");
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? request.ParticipantId! : request.DisplayName.Trim();
        if (displayName.Length > 200) throw new FederationException(FederationErrorKind.Invalid, "bad-display-name", "A display name has at most 200 characters.");
        var record = new ParticipantRecord(request.ParticipantId!, displayName, _time.GetUtcNow(), null, null);
        if (!await _store.AddParticipantAsync(record, cancellationToken).ConfigureAwait(false))
            throw new FederationException(FederationErrorKind.Conflict, "participant-exists", $"Participant '{request.ParticipantId}' is already in the federation.");
        return ToInfo(record);
    }

    /// <inheritdoc />
    public async Task RemoveParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        if (!await _store.RemoveParticipantAsync(participantId, cancellationToken).ConfigureAwait(false))
            throw new FederationException(FederationErrorKind.NotFound, "unknown-participant", $"No participant '{participantId}' in this federation.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync(CancellationToken cancellationToken)
    {
        var participants = await _store.ListParticipantsAsync(cancellationToken).ConfigureAwait(false);
        lock (_lastSeen)
        {
            return participants.Select(p => ToInfo(_lastSeen.TryGetValue(p.ParticipantId, out var seen) && (p.LastSeenAt is null || seen > p.LastSeenAt) ? p with { LastSeenAt = seen } : p)).ToList();
        }
    }

    /// <inheritdoc />
    public async Task<ParticipantInfo> ReportAsync(string participantId, ParticipantReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Status is null || report.Status.Length > 64 || report.Teachers is null || report.Teachers.Count > SoftLabelsCodec.MaxTeachers)
            throw await RejectAsync(participantId, null, FederationErrorKind.Invalid, "bad-report",
                $"A report needs a status of at most 64 characters and at most {SoftLabelsCodec.MaxTeachers} teachers.", cancellationToken).ConfigureAwait(false);
        var participant = await RequireParticipantAsync(participantId, null, cancellationToken).ConfigureAwait(false);
        var updated = participant with
        {
            LastSeenAt = _time.GetUtcNow(),
            ReportJson = JsonSerializer.Serialize(report, ProtocolJsonContext.Default.ParticipantReport),
        };
        await _store.UpdateParticipantAsync(updated, cancellationToken).ConfigureAwait(false);
        Touch(participantId);
        var info = ToInfo(updated);
        ParticipantReported?.Invoke(info);
        return info;
    }

    /// <inheritdoc />
    public async Task<RoundInfo> StartRoundAsync(RoundSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate().ToList();
        if (_options.ValidationExamples == 0 && string.Equals(settings.Strategy, "accuracy-weighted", StringComparison.OrdinalIgnoreCase))
            errors.Add("RoundSettings.Strategy 'accuracy-weighted' needs labeled validation rows, but AggregatorOptions.ValidationExamples is 0.");
        if (errors.Count > 0) throw new FederationException(FederationErrorKind.Invalid, "bad-settings", string.Join(" ", errors));

        RoundInfo info;
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } running)
                throw new FederationException(FederationErrorKind.Conflict, "round-running", $"Round {running.Record.RoundNumber} is still {running.Record.State}; wait for it or cancel it first.");
            var rounds = await _store.ListRoundsAsync(cancellationToken).ConfigureAwait(false);
            var number = rounds.Count == 0 ? 1 : rounds.Max(r => r.RoundNumber) + 1;
            var now = _time.GetUtcNow();
            var record = new RoundRecord(number, RoundState.Open.ToName(), JsonSerializer.Serialize(settings, ProtocolJsonContext.Default.RoundSettings),
                now, now.AddSeconds(settings.DeadlineSeconds), null, null, null);
            if (!await _store.AddRoundAsync(record, cancellationToken).ConfigureAwait(false))
                throw new InvalidOperationException($"Round {number} already exists in the store although it was not listed.");
            _current = new RoundRuntime(record, settings, BeginEnsemble(settings));
            info = ToInfo(_current);
        }
        finally
        {
            _turn.Release();
        }

        RoundChanged?.Invoke(info);
        return info;
    }

    /// <inheritdoc />
    public async Task<RoundInfo> CancelRoundAsync(int round, CancellationToken cancellationToken)
    {
        RoundInfo info;
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is not { } running || running.Record.RoundNumber != round)
            {
                var stored = await _store.GetRoundAsync(round, cancellationToken).ConfigureAwait(false)
                    ?? throw new FederationException(FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.");
                throw new FederationException(FederationErrorKind.Conflict, "round-closed", $"Round {round} has already ended ({stored.State}).");
            }

            running.Cancellation.Cancel();
            info = await EndRoundAsync(running, RoundState.Cancelled, "cancelled by an admin", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }

        RoundChanged?.Invoke(info);
        return info;
    }

    /// <inheritdoc />
    public async Task<RoundInfo> GetRoundAsync(int round, CancellationToken cancellationToken)
    {
        if (_current is { } running && running.Record.RoundNumber == round) return ToInfo(running);
        var record = await _store.GetRoundAsync(round, cancellationToken).ConfigureAwait(false)
            ?? throw new FederationException(FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.");
        return await ToInfoAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RoundInfo>> ListRoundsAsync(CancellationToken cancellationToken)
    {
        var records = await _store.ListRoundsAsync(cancellationToken).ConfigureAwait(false);
        var rounds = new List<RoundInfo>(records.Count);
        foreach (var record in records)
        {
            rounds.Add(_current is { } running && running.Record.RoundNumber == record.RoundNumber
                ? ToInfo(running)
                : await ToInfoAsync(record, cancellationToken).ConfigureAwait(false));
        }

        return rounds;
    }

    /// <inheritdoc />
    public async Task<RoundAssignment?> GetAssignmentAsync(string participantId, CancellationToken cancellationToken)
    {
        await RequireParticipantAsync(participantId, null, cancellationToken).ConfigureAwait(false);
        Touch(participantId);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is not { State: RoundState.Open } open || open.Uploaded.Contains(participantId) || _time.GetUtcNow() >= open.Record.Deadline)
                return null;
            int? consensusRound = open.Settings.FineTuneEpochs > 0 && _studentVersion > 0 ? _studentVersion : null;
            return new RoundAssignment(open.Record.RoundNumber, open.Settings, PublicSet.Fingerprint, open.Record.Deadline, consensusRound);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <inheritdoc />
    public async Task<UploadReceipt> SubmitAsync(string participantId, int round, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        UploadReceipt receipt;
        RoundInfo info;
        var closeNow = false;
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RequireParticipantAsync(participantId, round, cancellationToken).ConfigureAwait(false);
            Touch(participantId);
            if (_current is not { } open || open.Record.RoundNumber != round)
            {
                var stored = await _store.GetRoundAsync(round, cancellationToken).ConfigureAwait(false);
                throw stored is null
                    ? await RejectAsync(participantId, round, FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.", cancellationToken).ConfigureAwait(false)
                    : await RejectAsync(participantId, round, FederationErrorKind.Conflict, "round-closed", $"Round {round} is {stored.State} and accepts no uploads.", cancellationToken).ConfigureAwait(false);
            }

            if (open.State != RoundState.Open || _time.GetUtcNow() >= open.Record.Deadline)
                throw await RejectAsync(participantId, round, FederationErrorKind.Conflict, "round-closed", $"Round {round} no longer accepts uploads (its deadline was {open.Record.Deadline:O}).", cancellationToken).ConfigureAwait(false);
            if (open.Uploaded.Contains(participantId))
                throw await RejectAsync(participantId, round, FederationErrorKind.Conflict, "duplicate", $"Participant '{participantId}' already uploaded to round {round}; one upload per round.", cancellationToken).ConfigureAwait(false);
            if (body.Length > _options.MaxUploadBytes)
                throw await RejectAsync(participantId, round, FederationErrorKind.PayloadTooLarge, "too-large", $"The upload has {body.Length} bytes; the limit is {_options.MaxUploadBytes}.", cancellationToken).ConfigureAwait(false);

            DecodedUpload upload;
            try
            {
                upload = SoftLabelsCodec.Decode(body, round, participantId, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount);
            }
            catch (FederationException refused)
            {
                throw await RejectAsync(participantId, round, refused.Kind, refused.Reason, refused.Message, cancellationToken).ConfigureAwait(false);
            }

            var sha256 = await _artifacts.PutAsync(body, cancellationToken).ConfigureAwait(false);
            var submission = new SubmissionRecord(round, participantId, sha256, body.Length, _time.GetUtcNow(),
                JsonSerializer.Serialize(upload.Metadata, ProtocolJsonContext.Default.UploadMetadata));
            if (!await _store.AddSubmissionAsync(submission, cancellationToken).ConfigureAwait(false))
                throw await RejectAsync(participantId, round, FederationErrorKind.Conflict, "duplicate", $"Participant '{participantId}' already uploaded to round {round}; one upload per round.", cancellationToken).ConfigureAwait(false);

            Fold(open, upload, body.Length);
            receipt = new UploadReceipt(round, participantId, sha256, body.Length, upload.Teachers.Count, open.Uploaded.Count);
            var participants = await _store.ListParticipantsAsync(cancellationToken).ConfigureAwait(false);
            closeNow = participants.All(p => open.Uploaded.Contains(p.ParticipantId));
            if (closeNow) await BeginDistillingAsync(open, cancellationToken).ConfigureAwait(false);
            info = ToInfo(open);
        }
        finally
        {
            _turn.Release();
        }

        UploadAccepted?.Invoke(receipt);
        RoundChanged?.Invoke(info);
        return receipt;
    }

    /// <inheritdoc />
    public async Task<byte[]> GetConsensusAsync(string? participantId, int round, CancellationToken cancellationToken)
    {
        if (participantId is not null) await RequireParticipantAsync(participantId, round, cancellationToken).ConfigureAwait(false);
        var result = await CompletedResultAsync(round, cancellationToken).ConfigureAwait(false);
        var bytes = await _artifacts.GetAsync(result.ConsensusSha256, cancellationToken).ConfigureAwait(false)
            ?? throw new FederationException(FederationErrorKind.NotFound, "artifact-missing", $"The consensus of round {round} is missing from the artifact store.");
        if (participantId is not null && _current is { } open)
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                open.DownloadedBytes += bytes.Length;
            }
            finally
            {
                _turn.Release();
            }
        }

        return bytes;
    }

    /// <summary>The most recent refused requests, newest first (for the dashboard).</summary>
    /// <param name="limit">At most this many, 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<RejectionRecord>> ListRejectionsAsync(int limit, CancellationToken cancellationToken) =>
        _store.ListRejectionsAsync(Math.Clamp(limit, 1, 10_000), cancellationToken);

    /// <inheritdoc />
    public async Task<byte[]> GetStudentAsync(int version, CancellationToken cancellationToken)
    {
        var result = await CompletedResultAsync(version, cancellationToken).ConfigureAwait(false);
        return await _artifacts.GetAsync(result.StudentSha256, cancellationToken).ConfigureAwait(false)
            ?? throw new FederationException(FederationErrorKind.NotFound, "artifact-missing", $"Student {version} is missing from the artifact store.");
    }

    /// <summary>Stops the deadline watch and any distillation in flight; the store keeps the round to resume.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _current?.Cancellation.Cancel();
        foreach (var task in new[] { _deadlineLoop, _distillation })
        {
            if (task is null) continue;
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is what was asked for.
            }
        }

        _current?.Dispose();
        _stopping.Dispose();
        _turn.Dispose();
    }

    private IEnsembleAccumulator BeginEnsemble(RoundSettings settings) =>
        EnsembleStrategyFactory.Create(new EnsembleOptions { Name = settings.Strategy, Temperature = settings.Temperature })
            .Begin(PublicSet.Examples.Count, PublicSet.Examples.ClassCount);

    // Folds a validated upload into the round: the ensemble copies what it needs, the aggregator
    // keeps only each teacher's predictions, so memory does not grow with the logits of teachers.
    private void Fold(RoundRuntime round, DecodedUpload upload, long bytes)
    {
        var classes = PublicSet.Examples.ClassCount;
        using (torch.NewDisposeScope())
        {
            foreach (var teacher in upload.Teachers)
            {
                var logits = torch.tensor(teacher.Logits, new long[] { teacher.Logits.Length / classes, classes });
                var predictions = ArgMaxRows(teacher.Logits, classes);
                double? accuracy = _validationLabels.Length == 0 ? null : AccuracyOn(predictions, _validationLabels);
                round.Accumulator!.Add(new TeacherContribution($"{upload.ParticipantId}/{teacher.Report.TeacherId}", logits)
                {
                    ValidationAccuracy = accuracy,
                    PerClassWeights = teacher.Report.ClassCounts.Select(count => (double)count).ToArray(),
                    Weight = teacher.Report.PrivateExamples,
                });
                round.Teachers.Add(new TeacherSummary(upload.ParticipantId, teacher.Report.TeacherId, predictions, accuracy, teacher.Report.LocalAccuracy, teacher.Report.PrivateExamples));
            }
        }

        round.Uploaded.Add(upload.ParticipantId);
        round.UploadedBytes += bytes;
    }

    private async Task ResumeAsync(RoundRecord record, CancellationToken cancellationToken)
    {
        var settings = JsonSerializer.Deserialize(record.SettingsJson, ProtocolJsonContext.Default.RoundSettings)
            ?? throw new InvalidOperationException($"Round {record.RoundNumber} has no settings in the store.");
        var round = new RoundRuntime(record, settings, BeginEnsemble(settings));
        foreach (var submission in await _store.ListSubmissionsAsync(record.RoundNumber, cancellationToken).ConfigureAwait(false))
        {
            var body = await _artifacts.GetAsync(submission.ArtifactSha256, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Round {record.RoundNumber}: the upload of '{submission.ParticipantId}' ({submission.ArtifactSha256}) is missing from the artifact store.");
            var upload = SoftLabelsCodec.Decode(body, record.RoundNumber, submission.ParticipantId, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount);
            Fold(round, upload, body.Length);
        }

        _current = round;
        if (round.State == RoundState.Distilling) StartDistillation(round);
    }

    private async Task WatchDeadlinesAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(DeadlinePollInterval, _time, stopping).ConfigureAwait(false);
            RoundInfo? changed = null;
            await _turn.WaitAsync(stopping).ConfigureAwait(false);
            try
            {
                if (_current is { State: RoundState.Open } open && _time.GetUtcNow() >= open.Record.Deadline)
                {
                    if (open.Uploaded.Count >= open.Settings.Quorum)
                    {
                        await BeginDistillingAsync(open, stopping).ConfigureAwait(false);
                        changed = ToInfo(open);
                    }
                    else
                    {
                        changed = await EndRoundAsync(open, RoundState.Failed,
                            $"quorum not reached: {open.Uploaded.Count} of {open.Settings.Quorum} uploads by the deadline", null, stopping).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _turn.Release();
            }

            if (changed is not null) RoundChanged?.Invoke(changed);
        }
    }

    // Called inside the turn.
    private async Task BeginDistillingAsync(RoundRuntime round, CancellationToken cancellationToken)
    {
        round.Record = round.Record with { State = RoundState.Distilling.ToName() };
        await _store.UpdateRoundAsync(round.Record, cancellationToken).ConfigureAwait(false);
        StartDistillation(round);
    }

    private void StartDistillation(RoundRuntime round)
    {
        _distillation = Task.Factory.StartNew(() => DistillAsync(round), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    private async Task DistillAsync(RoundRuntime round)
    {
        var token = round.Cancellation.Token;
        RoundInfo info;
        try
        {
            var result = await TrainStudentAsync(round, token).ConfigureAwait(false);
            await _turn.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (!ReferenceEquals(_current, round)) return; // cancelled meanwhile
                info = await EndRoundAsync(round, RoundState.Completed, null, result, CancellationToken.None).ConfigureAwait(false);
                Volatile.Write(ref _studentVersion, round.Record.RoundNumber);
            }
            finally
            {
                _turn.Release();
            }

            RoundCompleted?.Invoke(info);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // cancelled by an admin (the round is already ended) or the host is stopping (it resumes on restart)
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The round records why; the aggregator stays up for the next round.
            await _turn.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (!ReferenceEquals(_current, round)) return;
                info = await EndRoundAsync(round, RoundState.Failed, $"distillation failed: {error.Message}", null, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _turn.Release();
            }
        }

        RoundChanged?.Invoke(info);
    }

    // Runs on the distillation thread, start to end, so libtorch's thread-local state stays put.
    private async Task<RoundResult> TrainStudentAsync(RoundRuntime round, CancellationToken token)
    {
        var publicSet = PublicSet;
        var classes = publicSet.Examples.ClassCount;
        var watch = Stopwatch.StartNew();
        float[] consensus;
        byte[] studentBytes;
        double? studentAccuracy = null;
        double finalLoss;
        int[] ensemblePredictions;
        byte[]? previousStudent = null;
        if (_studentVersion > 0) previousStudent = await GetStudentAsync(_studentVersion, token).ConfigureAwait(false);

        torch.set_num_threads(_options.Threads);
        var strategyWeights = round.Accumulator!.TeacherWeights;

        // All tensor work of the round, synchronously in one scope: nothing crosses the awaits.
        using (torch.NewDisposeScope())
        {
            var target = round.Accumulator!.Finish();
            consensus = target.cpu().contiguous().data<float>().ToArray();
            ensemblePredictions = ArgMaxRows(consensus, classes);
            torch.manual_seed(unchecked((long)(_options.Seed + (ulong)round.Record.RoundNumber)));
            using var student = ModelFactory.Create(_options.Student, publicSet.Examples.ExampleShape);
            if (previousStudent is not null) ModelWeights.Load(student, previousStudent);
            var trainer = new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: round.Settings.StudentEpochs, BatchSize: _options.StudentBatchSize,
                LearningRate: round.Settings.StudentLearningRate, Optimizer: "adamw", WeightDecay: 5e-4, Seed: _options.Seed + (ulong)round.Record.RoundNumber,
                Device: _options.Device));
            var progress = new Progress(report =>
            {
                round.DistillProgress = ((report.Epoch - 1) + ((double)report.Step / report.StepsPerEpoch)) / report.Epochs;
                if (report.EpochCompleted) RoundChanged?.Invoke(ToInfo(round));
            });
            var summary = trainer.Train(student, publicSet.Examples, target, new KnowledgeDistillationLoss(round.Settings.Temperature), progress, token);
            finalLoss = summary.FinalLoss;
            if (_evaluationSet is not null) studentAccuracy = Predictor.Accuracy(student, _evaluationSet);
            studentBytes = ModelWeights.Save(student,
                new Dictionary<string, string> { ["format"] = "feddistill-student/1", ["model"] = _options.Student.Kind, ["version"] = round.Record.RoundNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        watch.Stop();
        var studentSha = await _artifacts.PutAsync(studentBytes, token).ConfigureAwait(false);
        var consensusSha = await _artifacts.PutAsync(SoftLabelsCodec.EncodeConsensus(round.Record.RoundNumber, publicSet.Fingerprint, consensus, classes), token).ConfigureAwait(false);
        double? ensembleAccuracy = _validationLabels.Length == 0 ? null : AccuracyOn(ensemblePredictions, _validationLabels);
        var totalExamples = Math.Max(1, round.Teachers.Sum(t => (double)t.PrivateExamples));
        var teachers = round.Teachers.Select(t => new TeacherRoundMetrics(t.ParticipantId, t.TeacherId, t.ValidationAccuracy, Agreement(t.Predictions, ensemblePredictions), t.ReportedAccuracy,
            strategyWeights is not null && strategyWeights.TryGetValue($"{t.ParticipantId}/{t.TeacherId}", out var weight) ? weight : t.PrivateExamples / totalExamples)).ToList();
        var result = new RoundResult(round.Record.RoundNumber, studentSha, consensusSha, studentAccuracy, ensembleAccuracy, finalLoss, teachers,
            round.UploadedBytes, round.DownloadedBytes, watch.Elapsed.TotalSeconds, (_time.GetUtcNow() - round.Record.OpenedAt).TotalSeconds);
        return result;
    }

    // Called inside the turn.
    private async Task<RoundInfo> EndRoundAsync(RoundRuntime round, RoundState state, string? reason, RoundResult? result, CancellationToken cancellationToken)
    {
        round.Record = round.Record with
        {
            State = state.ToName(),
            ClosedAt = _time.GetUtcNow(),
            FailureReason = reason,
            ResultJson = result is null ? null : JsonSerializer.Serialize(result, ProtocolJsonContext.Default.RoundResult),
        };
        await _store.UpdateRoundAsync(round.Record, cancellationToken).ConfigureAwait(false);
        var info = ToInfo(round);
        _current = null;
        round.Dispose();
        return info;
    }

    private async Task<RoundResult> CompletedResultAsync(int round, CancellationToken cancellationToken)
    {
        var record = await _store.GetRoundAsync(round, cancellationToken).ConfigureAwait(false);
        if (record is null || RoundStates.Parse(record.State) != RoundState.Completed || record.ResultJson is null)
            throw new FederationException(FederationErrorKind.NotFound, "no-student", record is null ? $"There is no round {round}." : $"Round {round} is {record.State}, not completed.");
        return JsonSerializer.Deserialize(record.ResultJson, ProtocolJsonContext.Default.RoundResult)!;
    }

    private async Task<ParticipantRecord> RequireParticipantAsync(string participantId, int? round, CancellationToken cancellationToken)
    {
        var participant = await _store.GetParticipantAsync(participantId, cancellationToken).ConfigureAwait(false);
        return participant ?? throw await RejectAsync(participantId, round, FederationErrorKind.Forbidden, "unknown-participant",
            $"'{participantId}' is not a participant of this federation; an admin must add it first.", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a refusal and returns the exception to throw.</summary>
    private async Task<FederationException> RejectAsync(string? participantId, int? round, FederationErrorKind kind, string reason, string message, CancellationToken cancellationToken)
    {
        var rejection = new RejectionRecord(_time.GetUtcNow(), participantId, round, reason, message);
        await _store.AddRejectionAsync(rejection, cancellationToken).ConfigureAwait(false);
        Rejected?.Invoke(rejection);
        return new FederationException(kind, reason, message);
    }

    private void Touch(string participantId)
    {
        lock (_lastSeen) _lastSeen[participantId] = _time.GetUtcNow();
    }

    private RoundInfo ToInfo(RoundRuntime round)
    {
        var info = ToInfo(round.Record, round.Settings, round.Uploaded.ToList());
        return round.State == RoundState.Distilling ? info with { DistillProgress = round.DistillProgress } : info;
    }

    private async Task<RoundInfo> ToInfoAsync(RoundRecord record, CancellationToken cancellationToken)
    {
        var settings = JsonSerializer.Deserialize(record.SettingsJson, ProtocolJsonContext.Default.RoundSettings)!;
        var uploaded = (await _store.ListSubmissionsAsync(record.RoundNumber, cancellationToken).ConfigureAwait(false)).Select(s => s.ParticipantId).ToList();
        return ToInfo(record, settings, uploaded);
    }

    private static RoundInfo ToInfo(RoundRecord record, RoundSettings settings, IReadOnlyList<string> uploaded) =>
        new(record.RoundNumber, RoundStates.Parse(record.State), settings, record.OpenedAt, record.Deadline, record.ClosedAt, uploaded,
            record.ResultJson is null ? null : JsonSerializer.Deserialize(record.ResultJson, ProtocolJsonContext.Default.RoundResult), record.FailureReason);

    private static ParticipantInfo ToInfo(ParticipantRecord record) =>
        new(record.ParticipantId, record.DisplayName, record.RegisteredAt, record.LastSeenAt,
            record.ReportJson is null ? null : JsonSerializer.Deserialize(record.ReportJson, ProtocolJsonContext.Default.ParticipantReport));

    private static int[] ArgMaxRows(float[] logits, int classes)
    {
        var rows = logits.Length / classes;
        var predictions = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            var span = logits.AsSpan(row * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (span[c] > span[best]) best = c;
            predictions[row] = best;
        }

        return predictions;
    }

    private static double AccuracyOn(int[] predictions, int[] labels)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++) if (predictions[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    private static double Agreement(int[] a, int[] b)
    {
        var same = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) same++;
        return (double)same / a.Length;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ParticipantIdPattern();

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
