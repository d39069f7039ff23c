using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Hosting;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.SecureSummation;
using FedDistill.Grains.Storage;
using FedDistill.Security;
using FedDistill.Security.SecureSummation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization.Invocation;
using Orleans.Utilities;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The federation's aggregator: admits organizations, runs one round at a time, admits uploads
/// into a streaming ensemble, distills and publishes the global student.
/// </summary>
/// <remarks>
/// <para>
/// State: participants, rounds and refusals in one persisted state (Azure table); uploaded logits,
/// consensus and students as artifacts (Azure blobs). An upload is acknowledged only after its
/// payload and the round's record of it are stored, so a silo killed at any point loses nothing
/// acknowledged: the next activation rebuilds the open round's ensemble from the stored uploads
/// and resumes the round, or its distillation.
/// </para>
/// <para>
/// Deadlines are persisted times, checked by a grain timer every second; the aggregator's silo
/// activates the grain when it starts (<see cref="Hosting.AggregatorActivation"/>), so a round
/// running when the previous process died resumes at once. The student trains on a thread of its own, off
/// the grain's turn; the timer publishes the result when it is done.
/// </para>
/// <para>
/// Round work goes to organizations as one-way calls, and organizations' calls come back as new
/// requests, so no call chain ever waits on itself.
/// </para>
/// <para>
/// Operators' consoles subscribe as <see cref="IRoundObserver"/>s (kept with an expiry in an
/// <see cref="ObserverManager{TObserver}"/>): every change of a round, upload, refusal,
/// organization report and student epoch goes to them as a one-way notification from the
/// grain's turn, so a notification never waits on, nor fails with, a console.
/// </para>
/// <para>
/// A secure round (<see cref="RoundSettings.SecureSummation"/>) runs SecAgg through the same
/// kind of calls: keys are advertised and relayed, encrypted shares relayed, masked sums uploaded
/// and added into one running sum, and the survivors' revealed shares remove the masks. The
/// aggregator stores the masked uploads and the unmasked sum, never an organization's logits.
/// Every step it accepts (signed keys, encrypted bundles, revealed shares, the phase) is stored
/// before it is acknowledged (<see cref="SecureRoundRecord"/> and its artifacts), so a restarted
/// aggregator replays them, relays again what organizations still wait for, and the round goes on.
/// </para>
/// </remarks>
[GrainType(GrainTypeName)]
[Orleans.Concurrency.MayInterleave(nameof(MayInterleave))]
[AggregatorPlacement]
public sealed partial class AggregatorGrain : Grain, IAggregatorGrain, IIncomingGrainCallFilter
{
    /// <summary>The aggregator grain's type name.</summary>
    public const string GrainTypeName = "aggregator";

    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RedispatchPeriod = TimeSpan.FromSeconds(10);
    private static readonly GrainType ClientGrainType = GrainType.Create(Clients.ClientGrain.GrainTypeName);

    /// <summary>How long a round subscription lasts after the subscriber's last <see cref="SubscribeAsync"/>.</summary>
    public static readonly TimeSpan SubscriptionExpiry = TimeSpan.FromMinutes(2);

    private readonly IPersistentState<FederationState> _state;
    private readonly AggregatorOptions _options;
    private readonly PublicSetCatalog _catalog;
    private readonly ArtifactArchive _archive;
    private readonly TimeProvider _time;
    private readonly ILogger<AggregatorGrain> _logger;
    private readonly FederationMetrics _metrics;
    private readonly UploadAdmission _admission;
    private readonly ObserverManager<IRoundObserver> _observers;
    private long _sequence;
    private readonly Orleans.Serialization.Serializer _serializer;
    private PublicSet? _publicSet;
    private Dataset? _evaluationSet;
    private int[] _validationLabels = [];
    private RoundEnsemble? _ensemble;
    private UploadWriter? _uploads;
    private PrivacyBudget? _privacy;
    private Task<DistilledStudent>? _distillation;
    private CancellationTokenSource? _distillationCancellation;
    private double _distillProgress;

    // The last published round's artifacts as stored: the next round starts from them and every
    // organization downloads that consensus, without reading them back from storage each time.
    private PublishedRound? _published;
    private DateTimeOffset _lastDispatch = DateTimeOffset.MinValue;
    private GrainId? _caller;
    private KeyBinding? _binding;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _authority;
    private SecureRound? _secure;

    /// <summary>Created by Orleans on the aggregator's silo.</summary>
    public AggregatorGrain(
        [PersistentState("federation", StorageNames.Federation)] IPersistentState<FederationState> state,
        IOptions<AggregatorOptions> options,
        PublicSetCatalog catalog,
        ArtifactArchive archive,
        [FromKeyedServices(FederationClock.Key)] TimeProvider time,
        FederationMetrics metrics,
        Orleans.Serialization.Serializer serializer,
        ILogger<AggregatorGrain> logger)
    {
        _serializer = serializer;
        _state = state;
        _options = options.Value;
        _catalog = catalog;
        _archive = archive;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _admission = new UploadAdmission(_options.MaxUploadBytes);
        _observers = new ObserverManager<IRoundObserver>(SubscriptionExpiry, logger);
    }

    private string Federation => this.GetPrimaryKeyString();

    private PublicSet PublicSet => _publicSet ?? throw new InvalidOperationException("The aggregator has not activated.");

    private PrivacyBudget Privacy => _privacy ?? throw new InvalidOperationException("The aggregator has not activated.");

    private FederationState State => _state.State;

    // Organizations whose plain upload is being written to storage (the completion interleaves):
    // RequireOpenFor refuses them as duplicates, so that a second upload never starts meanwhile and
    // two payloads are never written to one blob.
    private readonly HashSet<string> _storing = new(StringComparer.Ordinal);

    private RoundRecord? Active => State.Rounds.Count > 0 && !State.Rounds[^1].State.IsFinal() ? State.Rounds[^1] : null;

    /// <summary>
    /// Builds the public set, records the federation on first activation (or checks the stored one
    /// has this public set), and resumes a round left running.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var errors = _options.Validate();
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(" ", errors));
        if (!string.Equals(Federation, _options.FederationName, StringComparison.Ordinal))
            throw new FederationException(FederationErrorKind.NotFound, "unknown-federation",
                $"This cluster's aggregator serves federation '{_options.FederationName}', not '{Federation}'.");
        _publicSet = _catalog.Get(_options.PublicSet);
        _validationLabels = _publicSet.Originals.Labels!.Take(_options.ValidationExamples).ToArray();
        _privacy = new PrivacyBudget(_options.Privacy, _publicSet.Examples.Count);
        if (_options.EvaluationExamples > 0) _evaluationSet = _catalog.Sources.EvaluationSet(_publicSet, _options.EvaluationExamples);

        if (State.PublicSetFingerprint is null)
        {
            State.PublicSet = _options.PublicSet;
            State.PublicSetFingerprint = _publicSet.Fingerprint;
            State.CreatedAt = _time.GetUtcNow();
            await _state.WriteStateAsync(cancellationToken);
        }
        else if (!string.Equals(State.PublicSetFingerprint, _publicSet.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Federation '{Federation}' is stored on public set {State.PublicSetFingerprint}, but this aggregator's public set is {_publicSet.Fingerprint}; " +
                "start it with the federation's PublicSet settings or new storage.");
        }

        if (_options.CaCertificate is { } caCertificate)
        {
            _authority = FederationCertificates.LoadCertificate(caCertificate);
            _binding = new KeyBinding(_authority, _time);
        }

        _metrics.Participants(State.Participants.Count);
        if (Active is { } active) await ResumeAsync(active);
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { KeepAlive = true });
        LogActivated(_logger, Federation, _publicSet.Examples.Count, _publicSet.Fingerprint, Distillation.Compute.ComputeDevice.Describe(Distillation.Compute.ComputeDevice.Resolve(_options.Device)));
    }

    /// <summary>Stops a distillation in flight; the stored round resumes on the next activation.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopDistillationAsync();
        await DisposeEnsembleAsync();
        _secure?.Dispose();
        _secure = null;
        _authority?.Dispose();
    }

    /// <summary>Remembers who is calling, so that organization methods can check the caller is that organization.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        _caller = context.SourceId;
        try
        {
            await context.Invoke();
        }
        finally
        {
            _caller = null;
        }
    }

    /// <inheritdoc />
    public Task<FederationInfo> GetFederationAsync() =>
        Task.FromResult(new FederationInfo(Federation, _options.PublicSet, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount,
            State.StudentVersion, ModelSpecFile.ToJson(_options.Student), Privacy.Ledger(State.Rounds)));

    /// <inheritdoc />
    public async Task<ParticipantInfo> AdmitAsync(RegisterParticipantRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.ParticipantId ?? string.Empty;
        if (!ParticipantIdPattern().IsMatch(id) || id == SiteNames.Aggregator)
            throw new FederationException(FederationErrorKind.Invalid, "bad-participant-id",
                $"Participant id '{id}' must match [a-z0-9][a-z0-9-]{{0,62}} and not be '{SiteNames.Aggregator}' (it is the name of the organization's silo and of its certificate).");
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? id : request.DisplayName.Trim();
        if (displayName.Length > 200) throw new FederationException(FederationErrorKind.Invalid, "bad-display-name", "A display name has at most 200 characters.");
        if (State.Participants.ContainsKey(id))
            throw new FederationException(FederationErrorKind.Conflict, "participant-exists", $"Participant '{id}' is already in the federation.");
        var participant = new ParticipantInfo(id, displayName, _time.GetUtcNow(), null, null);
        State.Participants[id] = participant;
        await SaveAsync(() => State.Participants.Remove(id));
        _metrics.Participants(State.Participants.Count);
        LogAdmitted(_logger, id);
        // A secure round's keys were agreed among the organizations it opened for; a newcomer waits for the next round.
        if (Active is { State: RoundState.Open } open && !open.Settings.SecureSummation) Dispatch(open, [id]);
        return participant;
    }

    /// <inheritdoc />
    public async Task RemoveParticipantAsync(string participantId)
    {
        if (participantId is null || !State.Participants.Remove(participantId, out var removed))
            throw new FederationException(FederationErrorKind.NotFound, "unknown-participant", $"No participant '{participantId}' in this federation.");
        await SaveAsync(() => State.Participants[participantId] = removed);
        _metrics.Participants(State.Participants.Count);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync() =>
        Task.FromResult<IReadOnlyList<ParticipantInfo>>(State.Participants.Values.OrderBy(p => p.ParticipantId, StringComparer.Ordinal).ToList());

    /// <inheritdoc />
    public Task ReportAsync(string participantId, ParticipantReport report)
    {
        var caller = _caller;
        if (report is null || report.Status is null || report.Status.Length > 64 || report.Teachers is null || report.Teachers.Count > SoftLabelsCodec.MaxTeachers)
            throw Reject(participantId, null, FederationErrorKind.Invalid, "bad-report",
                $"A report needs a status of at most 64 characters and at most {SoftLabelsCodec.MaxTeachers} teachers.");
        var participant = RequireParticipant(participantId, caller, null);
        // Reports are frequent and only informative: kept in memory, stored with the next write.
        var now = _time.GetUtcNow();
        State.Participants[participantId] = participant with { LastSeenAt = now, LastReport = report };
        Notify((observer, sequence) => observer.OnParticipantProgressAsync(sequence, new ParticipantProgressNotice(participantId, report, now)));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RoundInfo> StartRoundAsync(RoundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate().ToList();
        if (_options.ValidationExamples == 0 && string.Equals(settings.Strategy, "accuracy-weighted", StringComparison.OrdinalIgnoreCase))
            errors.Add("RoundSettings.Strategy 'accuracy-weighted' needs labeled validation rows, but AggregatorOptions.ValidationExamples is 0.");
        if (errors.Count > 0) throw new FederationException(FederationErrorKind.Invalid, "bad-settings", string.Join(" ", errors));
        if (settings.SecureSummation) RequireSecureSummationPossible(settings);
        if (Active is { } running)
            throw new FederationException(FederationErrorKind.Conflict, "round-running", $"Round {running.Number} is still {running.State.ToName()}; wait for it or cancel it first.");
        // Before anything is stored or sent: a refused round leaves no trace and costs nothing.
        Privacy.RequireAffordable(settings, State.Rounds);

        var now = _time.GetUtcNow();
        var round = new RoundRecord
        {
            Number = State.Rounds.Count == 0 ? 1 : State.Rounds[^1].Number + 1,
            State = RoundState.Open,
            Settings = settings,
            OpenedAt = now,
            Deadline = now.AddSeconds(settings.DeadlineSeconds),
            ConsensusRound = settings.FineTuneEpochs > 0 && State.StudentVersion > 0 ? State.StudentVersion : null,
            Secure = settings.SecureSummation
                ? new SecureRoundRecord { Organizations = State.Participants.Keys.Order(StringComparer.Ordinal).ToList() }
                : null,
        };
        State.Rounds.Add(round);
        await SaveAsync(() => State.Rounds.Remove(round));
        _ensemble = new RoundEnsemble(settings, PublicSet.Examples.Count, PublicSet.Examples.ClassCount, _validationLabels);
        if (settings.SecureSummation) _secure = NewSecureRound(round);

        _metrics.RoundStarted();
        LogRoundStarted(_logger, round.Number, settings.Strategy, State.Participants.Count, round.Deadline);
        NotifyRound(round);
        Dispatch(round, State.Participants.Keys);
        return ToInfo(round);
    }

    /// <inheritdoc />
    public async Task<RoundInfo> CancelRoundAsync(int round)
    {
        var record = FindRound(round) ?? throw new FederationException(FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.");
        if (record.State.IsFinal())
            throw new FederationException(FederationErrorKind.Conflict, "round-closed", $"Round {round} has already ended ({record.State.ToName()}).");
        await StopDistillationAsync();
        await EndRoundAsync(record, RoundState.Cancelled, "cancelled by an admin");
        return ToInfo(record);
    }

    /// <inheritdoc />
    public Task<RoundInfo> GetRoundAsync(int round) =>
        Task.FromResult(ToInfo(FindRound(round) ?? throw new FederationException(FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.")));

    /// <inheritdoc />
    public Task<IReadOnlyList<RoundInfo>> ListRoundsAsync() =>
        Task.FromResult<IReadOnlyList<RoundInfo>>(State.Rounds.Select(ToInfo).ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<RejectionInfo>> ListRejectionsAsync() =>
        Task.FromResult<IReadOnlyList<RejectionInfo>>(Enumerable.Reverse(State.Rejections).ToList());

    /// <inheritdoc />
    public Task<RoundSubscription> SubscribeAsync(IRoundObserver observer, int round)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var record = FindRound(round) ?? throw new FederationException(FederationErrorKind.NotFound, "unknown-round", $"There is no round {round}.");
        _observers.Subscribe(observer, observer);
        _observers.ClearExpired();
        return Task.FromResult(new RoundSubscription(ToInfo(record), State.Participants.Values.OrderBy(p => p.ParticipantId, StringComparer.Ordinal).ToList(), SubscriptionExpiry, _sequence));
    }

    /// <inheritdoc />
    public Task UnsubscribeAsync(IRoundObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AppendUploadAsync(UploadChunk chunk)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(chunk);
        RequireParticipant(chunk.ParticipantId, caller, chunk.Round);
        Stage(chunk);
        return Task.CompletedTask;
    }

    // A first piece starts an upload, so it needs the round open to this organization; the others continue one.
    private void Stage(UploadChunk chunk)
    {
        if (chunk.Offset == 0) RequireOpenFor(chunk.ParticipantId, chunk.Round);
        try
        {
            _admission.Append(chunk);
        }
        catch (FederationException refused)
        {
            throw Reject(chunk.ParticipantId, chunk.Round, refused.Kind, refused.Reason, refused.Message);
        }
    }

    /// <summary>
    /// Which requests may run while another request of this grain awaits: a plain upload's
    /// completion (its storage write is most of its time, and at 50 organizations one write after
    /// another was most of a round's overhead). Everything it does between awaits is synchronous,
    /// and after its write it checks the round again; a masked upload's completion, which stores
    /// the secure protocol's state, does not interleave.
    /// </summary>
    /// <param name="request">The incoming request.</param>
    public static bool MayInterleave(IInvokable request) =>
        request is not null && request.GetMethodName() == nameof(IAggregatorGrain.CompleteUploadAsync)
        && request.GetArgumentCount() == 1 && request.GetArgument(0) is UploadCompletion { Masked: false };

    /// <inheritdoc />
    public async Task<UploadReceipt> CompleteUploadAsync(UploadCompletion completion)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(completion);
        var participantId = completion.ParticipantId;
        RequireParticipant(participantId, caller, completion.Round);
        var round = RequireOpenFor(participantId, completion.Round);
        if (completion.Masked != round.Settings.SecureSummation)
            throw Reject(participantId, completion.Round, FederationErrorKind.Invalid, "wrong-upload-kind", round.Settings.SecureSummation
                ? $"Round {round.Number} runs secure summation: it takes only masked uploads."
                : $"Round {round.Number} does not run secure summation: it takes only plain uploads.");
        if (completion.Last is { } last) Stage(new UploadChunk(participantId, completion.Round, completion.Bytes - last.Length, last));
        if (round.Settings.SecureSummation) return await CompleteMaskedUploadAsync(round, completion);
        // RequireOpenFor refused a participant whose upload is being stored: this one is alone.
        _storing.Add(participantId);
        try
        {
            return await CompletePlainUploadAsync(round, completion);
        }
        finally
        {
            _storing.Remove(participantId);
        }
    }

    private async Task<UploadReceipt> CompletePlainUploadAsync(RoundRecord round, UploadCompletion completion)
    {
        var participantId = completion.ParticipantId;
        DecodedUpload upload;
        byte[] payload;
        try
        {
            payload = _admission.Take(completion);
            // Decoding (fp16 to fp32, every value checked) runs on the thread pool, beside other organizations' completions.
            upload = await Task.Run(() => Decode(payload, completion.Round, participantId));
        }
        catch (FederationException refused)
        {
            throw Reject(participantId, completion.Round, refused.Kind, refused.Reason, refused.Message);
        }

        // Durable before acknowledged: the stored payload is the upload's record. The round's list
        // of uploads reaches the table with the round's next write (at the latest when it starts
        // distilling); an aggregator restarted before that finds the payloads by name (ResumeAsync).
        // Other organizations' completions run while this one waits (MayInterleave), and the
        // uploads that arrive together are stored together (UploadWriter).
        var artifact = await UploadsOf(round).StoreAsync(participantId, payload);
        // Other requests ran during the decoding and the write: the round may have closed (deadline,
        // cancel) or started distilling. A payload stored for a round that no longer takes it is
        // refused; it is never read (only an open round's uploads are rebuilt from storage).
        if (!ReferenceEquals(Active, round) || round.State != RoundState.Open || _ensemble is null)
            throw Reject(participantId, completion.Round, FederationErrorKind.Conflict, "round-closed",
                $"Round {round.Number} closed ({round.State.ToName()}) while the upload was being stored; it was not taken.");
        var record = new UploadRecord(participantId, artifact, completion.Sha256.ToLowerInvariant(), payload.Length, upload.Teachers.Count,
            upload.Metadata.ComputeSeconds, _time.GetUtcNow());
        round.Uploads.Add(record);
        _ensemble.Enqueue(upload);
        _metrics.UploadAccepted(payload.Length);
        LogUploadAccepted(_logger, round.Number, participantId, payload.Length, upload.Metadata.DType, round.Uploads.Count);
        NotifyUpload(round, record);
        // Early close only with the quorum met: otherwise the round waits for its deadline (and
        // more participants) and fails there. The distillation starts in a turn of its own: this
        // request may be interleaved with one that is writing the federation's state.
        if (round.Uploads.Count >= round.Settings.Quorum && State.Participants.Keys.All(id => round.Uploads.Any(u => u.ParticipantId == id)))
            ScheduleDistilling(round);
        return new UploadReceipt(round.Number, participantId, record.Sha256, record.Bytes, record.Teachers, round.Uploads.Count);
    }

    // A one-shot grain timer: it runs as soon as no other non-interleaving request or tick does,
    // and begins distilling if the round is still open (not cancelled, nor already distilling).
    private void ScheduleDistilling(RoundRecord round)
    {
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(async _ =>
        {
            timer?.Dispose();
            if (ReferenceEquals(Active, round) && round.State == RoundState.Open) await BeginDistillingAsync(round);
        }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    /// <inheritdoc />
    public async Task AdvertiseKeysAsync(int round, SecureKeyAdvertisement advertisement)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(advertisement);
        var participantId = advertisement.ParticipantId;
        RequireParticipant(participantId, caller, round);
        var (record, secure) = RequireSecureRound(participantId, round);
        var keys = advertisement.FromMessage();
        // A retried call whose answer was lost (the aggregator restarted) is answered again; other keys are refused.
        if (secure.AdvertisementOf(participantId) is { } kept)
        {
            if (SecureRound.Same(kept, keys)) return;
            throw Reject(participantId, round, FederationErrorKind.Invalid, "bad-keys", $"'{participantId}' already advertised other keys for round {round}.");
        }

        RequireSecurePhase(participantId, round, secure, SecurePhase.Keys);
        try
        {
            secure.CheckAdvertisement(keys);
        }
        catch (SecureSummationException refused)
        {
            throw Reject(participantId, round, FederationErrorKind.Invalid, "bad-keys", refused.Message);
        }

        // Durable before acknowledged, as an upload: the payload, then the round's record of it.
        await _archive.PutAsync(Federation, SecureArtifact(round, "keys", participantId), _serializer.SerializeToArray(advertisement));
        record.Secure!.Advertised.Add(participantId);
        await SaveAsync(() => record.Secure.Advertised.Remove(participantId));
        secure.AcceptAdvertisement(keys);
        LogSecureStep(_logger, round, "keys", secure.Advertised.Count, secure.Expected.Count);
        await AdvanceSecureAsync(record, secure);
    }

    /// <inheritdoc />
    public async Task ShareKeysAsync(string participantId, int round, IReadOnlyList<SecureShareBundle> bundles)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(bundles);
        RequireParticipant(participantId, caller, round);
        var (record, secure) = RequireSecureRound(participantId, round);
        var shares = bundles.Select(b => b.FromMessage()).ToList();
        if (secure.BundlesOf(participantId) is { } kept)
        {
            if (SecureRound.Same(kept, shares)) return;
            throw Reject(participantId, round, FederationErrorKind.Invalid, "bad-shares", $"'{participantId}' already sent other shares for round {round}.");
        }

        RequireSecurePhase(participantId, round, secure, SecurePhase.Sharing);
        try
        {
            secure.CheckShares(participantId, shares);
        }
        catch (SecureSummationException refused)
        {
            throw Reject(participantId, round, FederationErrorKind.Invalid, "bad-shares", refused.Message);
        }

        await _archive.PutAsync(Federation, SecureArtifact(round, "shares", participantId), _serializer.SerializeToArray(bundles.ToList()));
        record.Secure!.Shared.Add(participantId);
        await SaveAsync(() => record.Secure.Shared.Remove(participantId));
        secure.AcceptShares(participantId, shares);
        LogSecureStep(_logger, round, "shares", secure.Shared.Count, secure.Advertised.Count);
        await AdvanceSecureAsync(record, secure);
    }

    /// <inheritdoc />
    public async Task RevealSharesAsync(int round, SecureShareReveal reveal)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(reveal);
        RequireParticipant(reveal.From, caller, round);
        var (record, secure) = RequireSecureRound(reveal.From, round);
        var shares = reveal.FromMessage();
        if (secure.RevealOf(reveal.From) is { } kept)
        {
            if (SecureRound.Same(kept, shares)) return;
            throw Reject(reveal.From, round, FederationErrorKind.Invalid, "bad-reveal", $"'{reveal.From}' already revealed other shares for round {round}.");
        }

        RequireSecurePhase(reveal.From, round, secure, SecurePhase.Revealing);
        try
        {
            secure.CheckReveal(shares);
        }
        catch (SecureSummationException refused)
        {
            throw Reject(reveal.From, round, FederationErrorKind.Invalid, "bad-reveal", refused.Message);
        }

        await _archive.PutAsync(Federation, SecureArtifact(round, "reveals", reveal.From), _serializer.SerializeToArray(reveal));
        record.Secure!.Revealed.Add(reveal.From);
        await SaveAsync(() => record.Secure.Revealed.Remove(reveal.From));
        secure.AcceptReveal(shares);
        LogSecureStep(_logger, round, "reveals", secure.Revealed.Count, secure.Survivors.Count);
        await AdvanceSecureAsync(record, secure);
    }

    /// <inheritdoc />
    public Task RefuseSecureUploadAsync(int round, SecureUploadRefusal refusal)
    {
        var caller = _caller;
        ArgumentNullException.ThrowIfNull(refusal);
        RequireParticipant(refusal.ParticipantId, caller, round);
        RequireSecureRound(refusal.ParticipantId, round);
        // Recorded and logged like any refusal (the reason is the organization's); the round goes on
        // without it as a dropout, and the deadline closes the masking phase with the others.
        var reason = refusal.Reason is { Length: > 0 and <= 64 } given ? given : "upload-refused";
        var message = refusal.Message is { Length: <= 2_000 } said ? said : $"'{refusal.ParticipantId}' refused to upload its masked sums.";
        _ = Reject(refusal.ParticipantId, round, FederationErrorKind.Invalid, reason, message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<byte[]> ReadConsensusAsync(string? participantId, int round)
    {
        var caller = _caller;
        if (participantId is not null) RequireParticipant(participantId, caller, round);
        CompletedResult(round);
        var bytes = await ArtifactAsync(ConsensusArtifact(round))
            ?? throw new FederationException(FederationErrorKind.NotFound, "artifact-missing", $"The consensus of round {round} is missing from storage.");
        if (participantId is not null && Active is { } active)
        {
            active.DownloadedBytes += bytes.Length;
            _metrics.Downloaded(bytes.Length);
        }

        foreach (var chunk in Chunks(bytes)) yield return chunk;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<byte[]> ReadStudentAsync(int version)
    {
        CompletedResult(version);
        var bytes = await ArtifactAsync(StudentArtifact(version))
            ?? throw new FederationException(FederationErrorKind.NotFound, "artifact-missing", $"Student {version} is missing from storage.");
        foreach (var chunk in Chunks(bytes)) yield return chunk;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<byte[]> ReadDistillationTargetAsync(int round)
    {
        CompletedResult(round);
        // Decoded here, so that the console needs neither the codec nor the fingerprint check: it
        // gets plain float32 rows and checks their count against the public set it rebuilds.
        var stored = await StoredTargetAsync(round)
            ?? throw new FederationException(FederationErrorKind.NotFound, "artifact-missing", $"The distillation target of round {round} is missing from storage.");
        var target = SoftLabelsCodec.DecodeConsensus(stored, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount);
        var bytes = new byte[checked(target.Length * sizeof(float))];
        for (var i = 0; i < target.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), target[i]);
        foreach (var chunk in Chunks(bytes)) yield return chunk;
    }

    private static IEnumerable<byte[]> Chunks(byte[] bytes)
    {
        for (var offset = 0; offset < bytes.Length; offset += UploadChunk.MaxBytes)
            yield return bytes.AsSpan(offset, Math.Min(UploadChunk.MaxBytes, bytes.Length - offset)).ToArray();
    }

    // A stored artifact, from the last published round's in memory when it is one of those.
    private async Task<byte[]?> ArtifactAsync(string name) => _published?.Find(name) ?? await _archive.GetAsync(Federation, name);

    private static string ConsensusArtifact(int round) => $"consensus/{round}";

    private static string StudentArtifact(int version) => $"students/{version}";

    // An upload checked against the round, the sender and this federation's public set (set once at activation, so any thread may read it).
    private DecodedUpload Decode(byte[] payload, int round, string participantId) =>
        SoftLabelsCodec.Decode(payload, round, participantId, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount);

    private UploadWriter UploadsOf(RoundRecord round) =>
        _uploads is { } writer && writer.Round == round.Number ? writer : _uploads = new UploadWriter((name, bytes) => _archive.PutAsync(Federation, name, bytes), _serializer, round.Number);

    // An upload as stored (UploadRecord.Artifact names the write that carried it).
    private async Task<byte[]?> StoredUploadAsync(string artifact, string participantId, Dictionary<string, StoredUploads?> writes) =>
        (await StoredWriteAsync(artifact, writes))?.Find(participantId);

    // A stored write of uploads, or null when there is none by that name; `writes` keeps the writes read so far.
    private async Task<StoredUploads?> StoredWriteAsync(string artifact, Dictionary<string, StoredUploads?> writes)
    {
        if (!writes.TryGetValue(artifact, out var stored))
            writes[artifact] = stored = await _archive.GetAsync(Federation, artifact) is { } bytes ? UploadWriter.Read(_serializer, bytes) : null;
        return stored;
    }

    private static string TargetArtifact(int round) => $"targets/{round}";

    private static string SumArtifact(int round) => $"sums/{round}";

    private static string SecureArtifact(int round, string step, string participantId) => $"secure/{round}/{step}/{participantId}";

    // Refusals before a secure round opens, each saying what to change.
    private void RequireSecureSummationPossible(RoundSettings settings)
    {
        try
        {
            SecureRoundParameters.BeginSummable(settings, 1, 1).Dispose();
        }
        catch (ArgumentException notSummable)
        {
            throw new FederationException(FederationErrorKind.Invalid, "strategy-not-summable", notSummable.Message);
        }

        if (_binding is null)
            throw new FederationException(FederationErrorKind.Invalid, "secure-summation-unavailable",
                "Secure summation checks organizations' keys against the federation's CA, and this aggregator has none: set AggregatorOptions.CaCertificate.");
        var threshold = SecureRoundParameters.Threshold(settings);
        if (State.Participants.Count < threshold || State.Participants.Count > ShamirSecretSharing.MaxShares)
            throw new FederationException(FederationErrorKind.Invalid, "too-few-organizations",
                $"Secure summation with quorum {settings.Quorum} needs between {threshold} and {ShamirSecretSharing.MaxShares} participants (t = max(2, quorum) must survive); the federation has {State.Participants.Count}.");
    }

    private (RoundRecord Round, SecureRound Secure) RequireSecureRound(string participantId, int number)
    {
        var round = FindRound(number);
        if (round is null) throw Reject(participantId, number, FederationErrorKind.NotFound, "unknown-round", $"There is no round {number}.");
        if (!round.Settings.SecureSummation)
            throw Reject(participantId, number, FederationErrorKind.Invalid, "not-secure", $"Round {number} does not run secure summation.");
        if (!ReferenceEquals(round, Active) || round.State != RoundState.Open || round.Secure is null || _secure is null || _secure.Session.Round != number)
            throw Reject(participantId, number, FederationErrorKind.Conflict, "round-closed", $"Round {number} is {round.State.ToName()}; its secure summation is over.");
        return (round, _secure);
    }

    private void RequireSecurePhase(string participantId, int number, SecureRound secure, SecurePhase phase)
    {
        if (secure.Phase != phase)
            throw Reject(participantId, number, FederationErrorKind.Conflict, "wrong-phase", $"Round {number}'s secure summation is in its {secure.Phase} phase, not {phase}.");
    }

    private SecureRound NewSecureRound(RoundRecord round) =>
        new(SecureRoundParameters.Session(Federation, round.Number, round.Settings, round.Secure!.Organizations.Count, PublicSet.Examples.Count, PublicSet.Examples.ClassCount),
            _binding!, round.Secure.Organizations);

    // Moves the protocol on as far as what it holds allows, storing each new phase before acting on it.
    private async Task AdvanceSecureAsync(RoundRecord round, SecureRound secure)
    {
        var record = round.Secure!;
        if (secure.Phase == SecurePhase.Keys && secure.Advertised.Count == secure.Expected.Count)
        {
            record.Phase = SecurePhase.Sharing;
            await SaveAsync(() => record.Phase = SecurePhase.Keys);
            secure.BeginSharing();
            LogSecureScale(_logger, round.Number, secure.ScaleExponent, InputScale.Of(secure.ScaleExponent));
            RelayPending(round, secure);
        }

        if (secure.Phase == SecurePhase.Sharing && secure.Shared.Count == secure.Advertised.Count)
        {
            record.Phase = SecurePhase.Masking;
            await SaveAsync(() => record.Phase = SecurePhase.Sharing);
            secure.BeginMasking();
            RelayPending(round, secure);
        }

        if (secure.Phase == SecurePhase.Masking && secure.AllUploaded) await BeginRevealingAsync(round, secure);
        if (secure.AllRevealed) await UnmaskAsync(round);
    }

    // What organizations still wait for in the current phase, sent (again) one way: after a restart,
    // or when a relay was lost, an organization's step completes on the repeat (a repeat is harmless).
    private void RelayPending(RoundRecord round, SecureRound secure)
    {
        _lastDispatch = _time.GetUtcNow();
        var number = round.Number;
        switch (secure.Phase)
        {
            case SecurePhase.Sharing:
                var advertisements = secure.Advertisements().Select(a => a.ToMessage()).ToList();
                foreach (var id in secure.Advertised.Where(id => secure.BundlesOf(id) is null).ToList())
                    Relay(number, id, client => client.ReceiveKeysAsync(number, advertisements));
                break;
            case SecurePhase.Masking:
                foreach (var id in secure.Shared.Where(id => !secure.Masked.Contains(id)).ToList())
                {
                    var mine = secure.BundlesFor(id).Select(b => b.ToMessage()).ToList();
                    Relay(number, id, client => client.ReceiveSharesAsync(number, mine));
                }
                break;
            case SecurePhase.Revealing:
                var survivors = secure.Survivors;
                foreach (var id in survivors.Where(id => secure.RevealOf(id) is null).ToList())
                    Relay(number, id, client => client.RevealAsync(number, survivors));
                break;
        }
    }

    // Masked uploads are checked, stored and added to the running sum: the aggregator keeps no
    // organization's values, only the uniformly random masked vector it received.
    private async Task<UploadReceipt> CompleteMaskedUploadAsync(RoundRecord round, UploadCompletion completion)
    {
        var participantId = completion.ParticipantId;
        var secure = _secure is { Phase: SecurePhase.Masking } masking && masking.Session.Round == round.Number
            ? masking
            : throw Reject(participantId, round.Number, FederationErrorKind.Conflict, "wrong-phase",
                $"Round {round.Number}'s secure summation takes masked uploads only once every organization has shared its keys; it is in its {_secure?.Phase.ToString() ?? "lost"} phase.");
        byte[] payload;
        try
        {
            payload = _admission.Take(completion);
            secure.CheckMasked(participantId, payload);
        }
        catch (FederationException refused)
        {
            throw Reject(participantId, round.Number, refused.Kind, refused.Reason, refused.Message);
        }
        catch (SecureSummationException refused)
        {
            throw Reject(participantId, round.Number, FederationErrorKind.Invalid, "bad-masked-upload", refused.Message);
        }

        var artifact = await UploadsOf(round).StoreAsync(participantId, payload);
        var record = new UploadRecord(participantId, artifact, completion.Sha256.ToLowerInvariant(), payload.Length, 0, 0, _time.GetUtcNow());
        round.Uploads.Add(record);
        await SaveAsync(() => round.Uploads.Remove(record));
        secure.AddMasked(participantId, payload);
        _metrics.UploadAccepted(payload.Length);
        LogUploadAccepted(_logger, round.Number, participantId, payload.Length, "masked ring", round.Uploads.Count);
        NotifyUpload(round, record);
        await AdvanceSecureAsync(round, secure);
        return new UploadReceipt(round.Number, participantId, record.Sha256, record.Bytes, 0, round.Uploads.Count);
    }

    private async Task BeginRevealingAsync(RoundRecord round, SecureRound secure)
    {
        // Survivors answer at once; the wait bounds a survivor that drops out now. The survivors
        // and the wait are stored first: a restarted aggregator must ask for the same list, since
        // an organization reveals once.
        var record = round.Secure!;
        var deadline = _time.GetUtcNow().AddSeconds(Math.Min(round.Settings.DeadlineSeconds, 300));
        record.Phase = SecurePhase.Revealing;
        record.Survivors = secure.Masked.ToList();
        record.RevealDeadline = deadline;
        await SaveAsync(() =>
        {
            record.Phase = SecurePhase.Masking;
            record.Survivors = [];
            record.RevealDeadline = null;
        });
        var survivors = secure.BeginRevealing(deadline);
        LogSecureStep(_logger, round.Number, "survivors", survivors.Count, secure.Shared.Count);
        RelayPending(round, secure);
    }

    private async Task UnmaskAsync(RoundRecord round)
    {
        var secure = _secure!;
        double[] sum;
        try
        {
            var result = secure.Unmask();
            sum = result.Sum;
            _ensemble!.ImportSums(sum);
            LogUnmasked(_logger, round.Number, result.Contributors.Count, result.Dropped.Count);
        }
        catch (Exception error) when (error is SecureSummationException or ArgumentException)
        {
            await EndRoundAsync(round, RoundState.Failed, $"secure summation could not unmask the sum: {error.Message}");
            return;
        }

        var bytes = new byte[sum.Length * sizeof(double)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(sum.AsSpan()).CopyTo(bytes);
        await _archive.PutAsync(Federation, SumArtifact(round.Number), bytes);
        _secure = null;
        secure.Dispose();
        await BeginDistillingAsync(round);
    }

    private async Task SecureTickAsync(RoundRecord round)
    {
        var now = _time.GetUtcNow();
        if (_secure is not { } secure) return;
        switch (secure.Phase)
        {
            case SecurePhase.Keys or SecurePhase.Sharing when now >= round.Deadline:
                var (done, of, what) = secure.Phase == SecurePhase.Keys
                    ? (secure.Advertised.Count, secure.Expected.Count, "advertised keys")
                    : (secure.Shared.Count, secure.Advertised.Count, "shared their keys");
                await EndRoundAsync(round, RoundState.Failed, $"secure summation: only {done} of {of} organizations {what} by the deadline");
                break;
            case SecurePhase.Keys when now - _lastDispatch >= RedispatchPeriod:
                Dispatch(round, secure.Expected.Where(id => !secure.Advertised.Contains(id)));
                break;
            case SecurePhase.Masking when now >= round.Deadline:
                var needed = Math.Max(round.Settings.Quorum, secure.Session.Threshold);
                if (round.Uploads.Count >= needed) await BeginRevealingAsync(round, secure);
                else await EndRoundAsync(round, RoundState.Failed, $"quorum not reached: {round.Uploads.Count} of {needed} masked uploads by the deadline");
                break;
            case SecurePhase.Revealing when now >= secure.RevealDeadline:
                if (secure.CanUnmask) await UnmaskAsync(round);
                else await EndRoundAsync(round, RoundState.Failed, $"secure summation: {secure.Revealed.Count} of {secure.Survivors.Count} survivors revealed their shares by {secure.RevealDeadline:O}; {secure.Session.Threshold} are needed");
                break;
            case SecurePhase.Sharing or SecurePhase.Masking or SecurePhase.Revealing when now - _lastDispatch >= RedispatchPeriod:
                RelayPending(round, secure);
                break;
        }
    }

    // One-way, like Dispatch: the aggregator never waits on an organization.
    private void Relay(int round, string participantId, Func<IClientGrain, Task> call) =>
        call(GrainFactory.GetGrain<IClientGrain>(participantId)).ContinueWith(
            failed => LogDispatchFailed(_logger, round, participantId, failed.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (Active is not { } round) return;
        if (round.State == RoundState.Open && round.Settings.SecureSummation)
        {
            await SecureTickAsync(round);
        }
        else if (round.State == RoundState.Open)
        {
            if (_time.GetUtcNow() >= round.Deadline)
            {
                if (round.Uploads.Count >= round.Settings.Quorum) await BeginDistillingAsync(round);
                else await EndRoundAsync(round, RoundState.Failed, $"quorum not reached: {round.Uploads.Count} of {round.Settings.Quorum} uploads by the deadline");
            }
            else if (_time.GetUtcNow() - _lastDispatch >= RedispatchPeriod)
            {
                // Organizations whose silo was down, or restarted, get the work again.
                Dispatch(round, State.Participants.Keys.Where(id => round.Uploads.All(u => u.ParticipantId != id)));
            }
        }
        else if (round.State == RoundState.Distilling && _distillation is { IsCompleted: true } finished)
        {
            await PublishIfCurrentAsync(finished);
        }
    }

    // Work goes out one way: the aggregator never waits on an organization, so a slow or dead
    // silo cannot hold the federation's turn, and an organization calling back cannot deadlock.
    private void Dispatch(RoundRecord round, IEnumerable<string> participants)
    {
        _lastDispatch = _time.GetUtcNow();
        var assignment = new RoundAssignment(Federation, round.Number, round.Settings, _options.PublicSet, PublicSet.Fingerprint, round.Deadline, round.ConsensusRound,
            round.Settings.SecureSummation ? _validationLabels.Length : 0, round.Settings.SecureSummation ? _secure?.Expected.Count ?? 0 : 0);
        foreach (var id in participants.ToList())
        {
            GrainFactory.GetGrain<IClientGrain>(id).AssignAsync(assignment).ContinueWith(
                failed => LogDispatchFailed(_logger, round.Number, id, failed.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task ResumeAsync(RoundRecord round)
    {
        _ensemble = new RoundEnsemble(round.Settings, PublicSet.Examples.Count, PublicSet.Examples.ClassCount, _validationLabels);
        if (round.Settings.SecureSummation)
        {
            await ResumeSecureAsync(round);
            return;
        }

        var writes = new Dictionary<string, StoredUploads?>(StringComparer.Ordinal);
        foreach (var upload in round.Uploads)
        {
            var payload = await StoredUploadAsync(upload.Artifact, upload.ParticipantId, writes)
                ?? throw new InvalidOperationException($"Round {round.Number}: the upload of '{upload.ParticipantId}' ({upload.Artifact}) is missing from storage.");
            _ensemble.Enqueue(Decode(payload, round.Number, upload.ParticipantId));
        }

        // An open round's uploads accepted since its last state write are only in storage, in
        // writes named after an organization (UploadWriter): every organization's name is tried.
        if (round.State == RoundState.Open)
        {
            foreach (var name in State.Participants.Keys.Select(id => UploadWriter.ArtifactName(round.Number, id)).ToList())
            {
                foreach (var stored in (await StoredWriteAsync(name, writes))?.Uploads ?? [])
                {
                    if (round.Uploads.Any(u => u.ParticipantId == stored.ParticipantId) || !State.Participants.ContainsKey(stored.ParticipantId)) continue;
                    var upload = Decode(stored.Payload, round.Number, stored.ParticipantId);
                    round.Uploads.Add(new UploadRecord(stored.ParticipantId, name, Sha256(stored.Payload), stored.Payload.Length, upload.Teachers.Count, upload.Metadata.ComputeSeconds, _time.GetUtcNow()));
                    _ensemble.Enqueue(upload);
                }
            }
        }

        LogResumed(_logger, round.Number, round.State.ToName(), round.Uploads.Count);
        if (round.State == RoundState.Distilling) await StartDistillationAsync(round);
    }

    // An open secure round is replayed from what was stored, step by step in the order it was
    // accepted; one that reached distillation resumes from its stored unmasked sum.
    private async Task ResumeSecureAsync(RoundRecord round)
    {
        if (round.State == RoundState.Open)
        {
            if (round.Secure is null || _binding is null)
            {
                await EndRoundAsync(round, RoundState.Failed, round.Secure is null
                    ? "the aggregator restarted, and this secure round was stored without its protocol state (by an older version); start a new round"
                    : "the aggregator restarted without AggregatorOptions.CaCertificate, which secure summation needs to check the organizations' keys");
                return;
            }

            SecureRound? secure = null;
            try
            {
                secure = await ReplaySecureAsync(round);
            }
            catch (Exception error) when (error is SecureSummationException or ArgumentException or InvalidOperationException)
            {
                secure?.Dispose();
                await EndRoundAsync(round, RoundState.Failed, $"secure summation could not resume after the aggregator restarted: {error.Message}");
                return;
            }

            _secure = secure;
            LogSecureResumed(_logger, round.Number, secure.Phase.ToString(), secure.Advertised.Count, secure.Shared.Count, secure.Masked.Count, secure.Revealed.Count);
            // Derived again from the replayed keys: the same as before the restart.
            if (secure.Phase >= SecurePhase.Sharing) LogSecureScale(_logger, round.Number, secure.ScaleExponent, InputScale.Of(secure.ScaleExponent));
            if (secure.Phase == SecurePhase.Keys) Dispatch(round, secure.Expected.Where(id => !secure.Advertised.Contains(id)));
            else RelayPending(round, secure);
            await AdvanceSecureAsync(round, secure);
            return;
        }

        var bytes = await _archive.GetAsync(Federation, SumArtifact(round.Number))
            ?? throw new InvalidOperationException($"Round {round.Number}: its unmasked sum ({SumArtifact(round.Number)}) is missing from storage.");
        _ensemble!.ImportSums(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes));
        LogResumed(_logger, round.Number, round.State.ToName(), round.Uploads.Count);
        await StartDistillationAsync(round);
    }

    // Every accepted step again, checked again (keys against the CA), through the same methods the calls use.
    private async Task<SecureRound> ReplaySecureAsync(RoundRecord round)
    {
        var record = round.Secure!;
        var secure = NewSecureRound(round);
        try
        {
            foreach (var id in record.Advertised)
            {
                var keys = (await StoredAsync<SecureKeyAdvertisement>(round.Number, "keys", id)).FromMessage();
                secure.CheckAdvertisement(keys);
                secure.AcceptAdvertisement(keys);
            }

            if (record.Phase >= SecurePhase.Sharing) secure.BeginSharing();
            foreach (var id in record.Shared)
            {
                var shares = (await StoredAsync<List<SecureShareBundle>>(round.Number, "shares", id)).Select(b => b.FromMessage()).ToList();
                secure.CheckShares(id, shares);
                secure.AcceptShares(id, shares);
            }

            if (record.Phase >= SecurePhase.Masking)
            {
                secure.BeginMasking();
                var writes = new Dictionary<string, StoredUploads?>(StringComparer.Ordinal);
                foreach (var upload in round.Uploads)
                {
                    var payload = await StoredUploadAsync(upload.Artifact, upload.ParticipantId, writes)
                        ?? throw new InvalidOperationException($"Round {round.Number}: the masked upload of '{upload.ParticipantId}' ({upload.Artifact}) is missing from storage.");
                    secure.CheckMasked(upload.ParticipantId, payload);
                    secure.AddMasked(upload.ParticipantId, payload);
                }
            }

            if (record.Phase == SecurePhase.Revealing)
            {
                var survivors = secure.BeginRevealing(record.RevealDeadline ?? throw new InvalidOperationException($"Round {round.Number}: its reveal phase was stored without a deadline."));
                if (!survivors.SequenceEqual(record.Survivors, StringComparer.Ordinal))
                    throw new InvalidOperationException($"Round {round.Number}: the stored masked uploads ({string.Join(", ", survivors)}) are not the stored survivors ({string.Join(", ", record.Survivors)}).");
                foreach (var id in record.Revealed)
                {
                    var reveal = (await StoredAsync<SecureShareReveal>(round.Number, "reveals", id)).FromMessage();
                    secure.CheckReveal(reveal);
                    secure.AcceptReveal(reveal);
                }
            }

            return secure;
        }
        catch
        {
            secure.Dispose();
            throw;
        }
    }

    private async Task<T> StoredAsync<T>(int round, string step, string participantId)
    {
        var name = SecureArtifact(round, step, participantId);
        var bytes = await _archive.GetAsync(Federation, name)
            ?? throw new InvalidOperationException($"Round {round}: the stored {step} of '{participantId}' ({name}) are missing from storage.");
        return _serializer.Deserialize<T>(bytes) ?? throw new InvalidOperationException($"Round {round}: the stored {step} of '{participantId}' ({name}) are empty.");
    }

    private async Task BeginDistillingAsync(RoundRecord round)
    {
        // A secure round's protocol state is done with once the sum is stored: the table state stays small.
        var secure = round.Secure;
        round.State = RoundState.Distilling;
        round.Secure = null;
        await SaveAsync(() =>
        {
            round.State = RoundState.Open;
            round.Secure = secure;
        });
        _admission.Clear();
        LogDistilling(_logger, round.Number, round.Uploads.Count);
        NotifyRound(round);
        await StartDistillationAsync(round);
    }

    private async Task StartDistillationAsync(RoundRecord round)
    {
        try
        {
            await _ensemble!.DrainAsync();
        }
        catch (Exception error)
        {
            // Only a bug gets here: the codec checked every upload for what the strategy needs.
            LogDistillationFailed(_logger, round.Number, error.ToString());
            await EndRoundAsync(round, RoundState.Failed, $"folding the uploads into the ensemble failed: {error.Message}");
            return;
        }

        var previous = State.StudentVersion > 0 ? await ArtifactAsync(StudentArtifact(State.StudentVersion)) : null;
        var previousTarget = round.Settings.TargetHistoryWeight > 0 && State.StudentVersion > 0 ? await PreviousTargetAsync(State.StudentVersion) : null;
        _distillProgress = 0;
        _distillationCancellation = new CancellationTokenSource();
        // Epochs end on the distillation's own thread: their notifications are sent from a turn of
        // this grain (its scheduler runs them in order, the last before the publishing continuation).
        var grainScheduler = TaskScheduler.Current;
        var (number, epochs) = (round.Number, round.Settings.StudentEpochs);
        var distillation = StudentRound.Start(
            new StudentRoundInput(round.Number, round.Settings, _options, PublicSet, _evaluationSet, _validationLabels, _ensemble!, previous, previousTarget, Privacy.Delta),
            progress => Volatile.Write(ref _distillProgress, progress),
            metrics => Task.Factory.StartNew(() => Notify((observer, sequence) => observer.OnStudentEpochAsync(sequence, new StudentEpochNotice(number, epochs, metrics))),
                CancellationToken.None, TaskCreationOptions.None, grainScheduler),
            _distillationCancellation.Token);
        _distillation = distillation;
        // Publish in a turn of this grain as soon as the student is ready, not on the next tick: a
        // tick of delay is a second added to every round. The tick still publishes after a failed try.
        _ = distillation.ContinueWith(_ => PublishIfCurrentAsync(distillation), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Current).Unwrap();
    }

    // The target a round distilled from: stored apart when it blended in history, else its ensemble.
    private async Task<byte[]?> StoredTargetAsync(int round) =>
        _published is { } published && published.Round == round ? published.Target ?? published.Consensus
            : await _archive.GetAsync(Federation, TargetArtifact(round)) ?? await _archive.GetAsync(Federation, ConsensusArtifact(round));

    private async Task<float[]> PreviousTargetAsync(int round)
    {
        var stored = await StoredTargetAsync(round) ?? throw new InvalidOperationException($"Round {round}'s consensus is missing from storage.");
        return SoftLabelsCodec.DecodeConsensus(stored, PublicSet.Fingerprint, PublicSet.Examples.Count, PublicSet.Examples.ClassCount);
    }

    private async Task PublishIfCurrentAsync(Task<DistilledStudent> distillation)
    {
        if (Active is not { State: RoundState.Distilling } round || !ReferenceEquals(_distillation, distillation)) return;
        try
        {
            await PublishAsync(round, distillation);
        }
        catch (Exception error)
        {
            LogPublishFailed(_logger, round.Number, error.Message);
            _distillation ??= distillation;
        }
    }

    private async Task PublishAsync(RoundRecord round, Task<DistilledStudent> finished)
    {
        _distillation = null;
        if (!finished.IsCompletedSuccessfully)
        {
            var error = finished.Exception?.GetBaseException();
            LogDistillationFailed(_logger, round.Number, error?.ToString() ?? "cancelled");
            await EndRoundAsync(round, RoundState.Failed, $"distillation failed: {error?.Message ?? "cancelled"}");
            return;
        }

        var student = finished.Result;
        // Three independent blobs: written side by side, the round waits for one write, not three.
        await Task.WhenAll(
            _archive.PutAsync(Federation, StudentArtifact(round.Number), student.Student),
            _archive.PutAsync(Federation, ConsensusArtifact(round.Number), student.Consensus),
            student.Target is { } target ? _archive.PutAsync(Federation, TargetArtifact(round.Number), target) : Task.CompletedTask);
        var uploaded = round.Uploads.Sum(u => u.Bytes);
        round.Result = new RoundResult(round.Number, Sha256(student.Student), Sha256(student.Consensus), student.StudentAccuracy, student.EnsembleAccuracy,
            student.FinalLoss, student.Teachers, uploaded, round.DownloadedBytes, student.DistillSeconds, (_time.GetUtcNow() - round.OpenedAt).TotalSeconds,
            round.Uploads.Count == 0 ? 0 : round.Uploads.Max(u => u.ComputeSeconds), student.Epochs,
            student.Epsilon, student.Epsilon is null ? null : Privacy.Delta, student.AnsweredExamples);
        var previousVersion = State.StudentVersion;
        State.StudentVersion = round.Number;
        await EndRoundAsync(round, RoundState.Completed, null, () => State.StudentVersion = previousVersion);
        _published = new PublishedRound(round.Number, student.Student, student.Consensus, student.Target);
        _metrics.StudentTrained(student.DistillSeconds);
        LogPublished(_logger, round.Number, student.StudentAccuracy ?? double.NaN, student.DistillSeconds);
    }

    private async Task EndRoundAsync(RoundRecord round, RoundState state, string? reason, Action? undo = null)
    {
        var before = (round.State, round.ClosedAt, round.FailureReason, round.Secure);
        round.State = state;
        round.ClosedAt = _time.GetUtcNow();
        round.FailureReason = reason;
        round.Secure = null;
        await SaveAsync(() =>
        {
            (round.State, round.ClosedAt, round.FailureReason, round.Secure) = before;
            undo?.Invoke();
        });
        await DisposeEnsembleAsync();
        _secure?.Dispose();
        _secure = null;
        _admission.Clear();
        // The student first: a subscriber stops at the round's final state.
        if (state == RoundState.Completed && round.Result is { } result) Notify((observer, sequence) => observer.OnStudentPublishedAsync(sequence, new StudentPublishedNotice(round.Number, result)));
        NotifyRound(round);
        _metrics.RoundEnded(state.ToName(), (round.ClosedAt.Value - round.OpenedAt).TotalSeconds);
        LogRoundEnded(_logger, round.Number, state.ToName(), reason ?? "");
    }

    // Detached first: a completion interleaved while the folds in flight finish finds no ensemble to fold into.
    private async Task DisposeEnsembleAsync()
    {
        var ensemble = _ensemble;
        _ensemble = null;
        if (ensemble is not null) await ensemble.DisposeAsync();
    }

    private async Task StopDistillationAsync()
    {
        if (_distillation is not { } running) return;
        _distillationCancellation!.Cancel();
        try
        {
            await ((Task)running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            _distillation = null;
            _distillationCancellation.Dispose();
            _distillationCancellation = null;
        }
    }

    /// <summary>Writes the state; when the write fails, undoes the change in memory so memory and storage agree, and rethrows.</summary>
    private async Task SaveAsync(Action undo)
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }

    private RoundRecord? FindRound(int number) => number >= 1 && number <= State.Rounds.Count ? State.Rounds[number - 1] : null;

    private RoundResult CompletedResult(int round)
    {
        var record = FindRound(round);
        if (record is not { State: RoundState.Completed, Result: { } result })
            throw new FederationException(FederationErrorKind.NotFound, "no-student", record is null ? $"There is no round {round}." : $"Round {round} is {record.State.ToName()}, not completed.");
        return result;
    }

    private ParticipantInfo RequireParticipant(string participantId, GrainId? caller, int? round)
    {
        if (participantId is null || !State.Participants.TryGetValue(participantId, out var participant))
            throw Reject(participantId, round, FederationErrorKind.Forbidden, "unknown-participant",
                $"'{participantId}' is not a participant of this federation; an admin must admit it first.");
        if (caller is not { } id || id.Type != ClientGrainType || !string.Equals(id.Key.ToString(), participantId, StringComparison.Ordinal))
            throw Reject(participantId, round, FederationErrorKind.Forbidden, "impersonation",
                $"Only the client grain of '{participantId}' may act for it; the call came from {caller?.ToString() ?? "outside any grain"}.");
        return participant;
    }

    private RoundRecord RequireOpenFor(string participantId, int number)
    {
        var round = FindRound(number);
        if (round is null) throw Reject(participantId, number, FederationErrorKind.NotFound, "unknown-round", $"There is no round {number}.");
        if (round.State != RoundState.Open || _time.GetUtcNow() >= round.Deadline)
            throw Reject(participantId, number, FederationErrorKind.Conflict, "round-closed", $"Round {number} is {round.State.ToName()} and accepts no uploads (its deadline was {round.Deadline:O}).");
        if (round.Uploads.Any(u => u.ParticipantId == participantId) || _storing.Contains(participantId))
            throw Reject(participantId, number, FederationErrorKind.Conflict, "duplicate", $"Participant '{participantId}' already uploaded to round {number} (or its upload is being stored); one upload per round.");
        return round;
    }

    /// <summary>Records a refusal (kept in the state with the next write that succeeds) and returns the exception to throw.</summary>
    private FederationException Reject(string? participantId, int? round, FederationErrorKind kind, string reason, string message)
    {
        var refusal = new RejectionInfo(_time.GetUtcNow(), participantId, round, reason, message);
        State.Rejections.Add(refusal);
        if (State.Rejections.Count > FederationState.MaxRejections) State.Rejections.RemoveRange(0, State.Rejections.Count - FederationState.MaxRejections);
        _metrics.Rejected(reason);
        LogRejected(_logger, participantId ?? "(unknown)", reason, message);
        Notify((observer, sequence) => observer.OnRequestRefusedAsync(sequence, refusal));
        return new FederationException(kind, reason, message);
    }

    private void NotifyRound(RoundRecord round)
    {
        if (_observers.Count == 0) return;
        var info = ToInfo(round);
        Notify((observer, sequence) => observer.OnRoundChangedAsync(sequence, info));
    }

    private void NotifyUpload(RoundRecord round, UploadRecord upload)
    {
        if (_observers.Count == 0) return;
        Notify((observer, sequence) => observer.OnUploadAcceptedAsync(sequence, new UploadAcceptedNotice(round.Number, upload.ParticipantId, upload.Bytes, upload.Teachers, round.Uploads.Count, upload.At)));
        NotifyRound(round);
    }

    /// <summary>
    /// Sends a one-way notification to every live subscriber. Called from the grain's turn (the
    /// observer list is the grain's state); a notification that cannot be sent is logged and its
    /// subscriber dropped, and nothing here can fail the caller: a round never depends on a console.
    /// </summary>
    private void Notify(Func<IRoundObserver, long, Task> notification)
    {
        if (_observers.Count == 0) return;
        var sequence = ++_sequence;
        try
        {
            // A statement lambda, so the synchronous overload is chosen: the Task-returning one awaits each subscriber in turn.
            _observers.Notify(observer =>
            {
                Task sent;
                try
                {
                    sent = notification(observer, sequence);
                }
                catch (Exception error)
                {
                    // Rethrown: the observer manager drops a subscriber whose notification cannot be sent.
                    LogNotificationFailed(_logger, observer.GetGrainId().ToString(), error.ToString());
                    throw;
                }

                sent.ContinueWith(failed => LogNotificationFailed(_logger, observer.GetGrainId().ToString(), failed.Exception!.GetBaseException().Message),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            });
        }
        catch (Exception error)
        {
            LogNotificationFailed(_logger, "(every subscriber)", error.Message);
        }
    }

    private RoundInfo ToInfo(RoundRecord round) =>
        new(round.Number, round.State, round.Settings, round.OpenedAt, round.Deadline, round.ClosedAt, round.Uploads.Select(u => u.ParticipantId).ToList(),
            round.Result, round.FailureReason, round.State == RoundState.Distilling ? Volatile.Read(ref _distillProgress) : null);

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ParticipantIdPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Federation '{Federation}' active: public set of {Examples} examples, fingerprint {Fingerprint}; the student is distilled on {Device}")]
    private static partial void LogActivated(ILogger logger, string federation, int examples, string fingerprint, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admitted participant {Participant}")]
    private static partial void LogAdmitted(ILogger logger, string participant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} opened ({Strategy}) for {Participants} participants; uploads close at {Deadline:O}")]
    private static partial void LogRoundStarted(ILogger logger, int round, string strategy, int participants, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Round {Round}: could not hand the work to {Participant} ({Error}); it is offered again shortly")]
    private static partial void LogDispatchFailed(ILogger logger, int round, string participant, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: accepted {Bytes} bytes of {DType} logits from {Participant}; {Uploads} uploads")]
    private static partial void LogUploadAccepted(ILogger logger, int round, string participant, long bytes, string dtype, int uploads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: secure summation {Step}: {Count} of {Of}")]
    private static partial void LogSecureStep(ILogger logger, int round, string step, int count, int of);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: secure summation's weight scale is 2^{Exponent} = {Scale:G6}, the largest the organizations' signed keys state")]
    private static partial void LogSecureScale(ILogger logger, int round, int exponent, double scale);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: secure summation resumed in its {Phase} phase from storage: {Keys} keys, {Shares} share lists, {Masked} masked uploads, {Reveals} reveals")]
    private static partial void LogSecureResumed(ILogger logger, int round, string phase, int keys, int shares, int masked, int reveals);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: unmasked the sum of {Contributors} organizations ({Dropped} dropped out, their masks rebuilt from shares)")]
    private static partial void LogUnmasked(ILogger logger, int round, int contributors, int dropped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} resumed ({State}, {Uploads} stored uploads folded back in)")]
    private static partial void LogResumed(ILogger logger, int round, string state, int uploads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: distilling the student from {Uploads} uploads")]
    private static partial void LogDistilling(ILogger logger, int round, int uploads);

    [LoggerMessage(Level = LogLevel.Error, Message = "Round {Round}: distillation failed: {Error}")]
    private static partial void LogDistillationFailed(ILogger logger, int round, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} completed: student accuracy {Accuracy:F4}, distilled in {Seconds:F1} s")]
    private static partial void LogPublished(ILogger logger, int round, double accuracy, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Round {Round}: publishing the student failed, retried on the next tick: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, int round, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} ended {State} {Reason}")]
    private static partial void LogRoundEnded(ILogger logger, int round, string state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not notify round subscriber {Subscriber}: {Error}; the round goes on (a subscriber that stops renewing lapses)")]
    private static partial void LogNotificationFailed(ILogger logger, string subscriber, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request from {Participant}: {Reason}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string participant, string reason, string detail);

    private sealed record PublishedRound(int Round, byte[] Student, byte[] Consensus, byte[]? Target)
    {
        public byte[]? Find(string name) =>
            name == StudentArtifact(Round) ? Student : name == ConsensusArtifact(Round) ? Consensus : name == TargetArtifact(Round) ? Target : null;
    }
}
