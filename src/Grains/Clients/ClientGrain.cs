using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.SecureSummation;
using FedDistill.Security;
using FedDistill.Security.SecureSummation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FedDistill.Grains.Clients;

/// <summary>
/// An organization's client, on its own silo only: for each round the aggregator hands it, it has
/// its teachers prepare (train or restore), digest the last consensus in co-distillation rounds,
/// compute their logits on the public set, and uploads them. It shares nothing else.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="AssignAsync"/> returns at once; the round's work runs as a task of the grain that
/// awaits the teacher grains (whose libtorch work runs on threads of its own), so the grain's
/// turn is never held by it and its calls to the aggregator carry the grain's identity, which is
/// what the aggregator checks an upload's sender against.
/// </para>
/// <para>
/// In a secure round it advertises keys signed with its federation certificate, with the weight
/// scale its own teachers' counts need, and shares its secrets before training, folds its own
/// teachers into the strategy's sums at the round's scale (the largest any organization's keys
/// state), and uploads those sums masked; the aggregator's relays complete the steps it awaits.
/// </para>
/// </remarks>
[GrainType(GrainTypeName)]
[OrganizationPlacement]
public sealed partial class ClientGrain : Grain, IClientGrain
{
    /// <summary>The client grain's type name.</summary>
    public const string GrainTypeName = "client";

    private const int RememberedRounds = 64;

    // The reason an organization gives the aggregator when its sums do not fit the ring.
    private const string SumsOutOfRange = "sums-out-of-range";

    // How often the progress of a teacher's training goes to the aggregator (and on to the operator's console).
    private static readonly TimeSpan ProgressPeriod = TimeSpan.FromSeconds(1);

    private readonly OrganizationOptions _options;
    private readonly PublicSetCatalog _catalog;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ClientGrain> _logger;
    private readonly Queue<int> _uploaded = new();
    private readonly Dictionary<string, TeacherReport> _teachers = new(StringComparer.Ordinal);
    private Task? _work;
    private int? _round;
    private string _status = "idle";
    private double? _progress;
    private X509Certificate2? _authority;
    private X509Certificate2? _certificate;
    private KeyBinding? _binding;
    private int _secureRound;
    private int _queuedRound;
    private TaskCompletionSource<IReadOnlyList<SecureKeyAdvertisement>>? _keys;
    private TaskCompletionSource<IReadOnlyList<SecureShareBundle>>? _shares;
    private TaskCompletionSource<IReadOnlyList<string>>? _survivors;

    /// <summary>Created by Orleans on the organization's silo.</summary>
    public ClientGrain(IOptions<OrganizationOptions> options, PublicSetCatalog catalog, IHostApplicationLifetime lifetime, ILogger<ClientGrain> logger)
    {
        _options = options.Value;
        _lifetime = lifetime;
        _catalog = catalog;
        _logger = logger;
    }

    private string Organization => this.GetPrimaryKeyString();

    /// <summary>A client grain keyed for another organization fails its activation: placement put it here by mistake or by malice.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!string.Equals(Organization, _options.Id, StringComparison.Ordinal))
            throw new InvalidOperationException($"Client '{Organization}' cannot run on the silo of organization '{_options.Id}'.");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AssignAsync(RoundAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (_uploaded.Contains(assignment.Round)) return Task.CompletedTask;
        if (_work is { IsCompleted: false } running)
        {
            // Only a secure round's wait for a relay gives way, and only to a newer round: the
            // aggregator opens one when the old one has ended, so that relay will never come.
            if (_secureRound == 0 || assignment.Round <= _secureRound || assignment.Round == _queuedRound) return Task.CompletedTask;
            _queuedRound = assignment.Round;
            _keys?.TrySetCanceled();
            _shares?.TrySetCanceled();
            _survivors?.TrySetCanceled();
            _work = WorkAfterAsync(running, assignment);
            return Task.CompletedTask;
        }

        _round = assignment.Round;
        LogAssigned(_logger, Organization, assignment.Round, assignment.Settings.Strategy, assignment.Deadline);
        _work = WorkAsync(assignment);
        return Task.CompletedTask;
    }

    private async Task WorkAfterAsync(Task abandoned, RoundAssignment assignment)
    {
        // The abandoned round's work ends on its cancelled wait and logs it; its errors end there.
        await abandoned.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        _round = assignment.Round;
        LogAssigned(_logger, Organization, assignment.Round, assignment.Settings.Strategy, assignment.Deadline);
        await WorkAsync(assignment);
    }

    /// <inheritdoc />
    public Task<ParticipantReport> GetStatusAsync() => Task.FromResult(Report());

    /// <inheritdoc />
    public Task ReceiveKeysAsync(int round, IReadOnlyList<SecureKeyAdvertisement> advertisements)
    {
        if (round == _secureRound) _keys?.TrySetResult(advertisements);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ReceiveSharesAsync(int round, IReadOnlyList<SecureShareBundle> bundles)
    {
        if (round == _secureRound) _shares?.TrySetResult(bundles);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RevealAsync(int round, IReadOnlyList<string> survivors)
    {
        if (round == _secureRound) _survivors?.TrySetResult(survivors);
        return Task.CompletedTask;
    }

    /// <summary>Releases the federation certificates.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _certificate?.Dispose();
        _authority?.Dispose();
        return Task.CompletedTask;
    }

    // Runs on the grain's scheduler between its requests; every long step is an awaited call to a
    // teacher grain or a task on the thread pool, so nothing here blocks the grain.
    private async Task WorkAsync(RoundAssignment assignment)
    {
        var aggregator = GrainFactory.GetGrain<IAggregatorGrain>(assignment.Federation);
        var watch = Stopwatch.StartNew();
        SecureSummationParticipant? secure = null;
        try
        {
            var publicSet = await Task.Run(() => _catalog.GetVerified(assignment.PublicSet, assignment.PublicSetFingerprint));
            var teachers = _options.EffectiveTeachers.Select(t => (t.Id, Grain: GrainFactory.GetGrain<ITeacherGrain>(SiteNames.TeacherKey(Organization, t.Id)))).ToList();
            // Keys and shares first: they are quick, and every organization waits for all of them.
            SecureSummationSession? session = null;
            if (assignment.Settings.SecureSummation)
            {
                session = SecureRoundParameters.Session(assignment.Federation, assignment.Round, assignment.Settings, assignment.Organizations,
                    publicSet.Examples.Count, publicSet.Examples.ClassCount);
                secure = await ShareKeysAsync(aggregator, assignment, session, teachers.Select(t => t.Grain).ToList());
            }

            await SetStatusAsync(aggregator, "training", assignment.Round);
            for (var i = 0; i < teachers.Count; i++)
                _teachers[teachers[i].Id] = await WithProgressAsync(aggregator, teachers[i].Grain, i, teachers.Count, teachers[i].Grain.PrepareAsync(assignment.PublicSet, assignment.PublicSetFingerprint));

            if (assignment.ConsensusRound is { } consensusRound && assignment.Settings.FineTuneEpochs > 0)
            {
                await SetStatusAsync(aggregator, "digesting", assignment.Round);
                using var body = new MemoryStream();
                await foreach (var chunk in aggregator.ReadConsensusAsync(Organization, consensusRound)) body.Write(chunk);
                var consensus = SoftLabelsCodec.DecodeConsensus(body.ToArray(), publicSet.Fingerprint, publicSet.Examples.Count, publicSet.Examples.ClassCount);
                for (var i = 0; i < teachers.Count; i++)
                {
                    var seed = _options.Seed + (ulong)assignment.Round * 1_000 + (ulong)i;
                    _teachers[teachers[i].Id] = await WithProgressAsync(aggregator, teachers[i].Grain, i, teachers.Count, teachers[i].Grain.DigestAsync(new DigestRequest(assignment.PublicSet,
                        assignment.PublicSetFingerprint, consensus, assignment.Settings.Temperature, assignment.Settings.FineTuneEpochs, assignment.Settings.RevisitEpochs, seed)));
                }

                LogDigested(_logger, Organization, assignment.Round, consensusRound, watch.Elapsed.TotalSeconds);
            }

            await SetStatusAsync(aggregator, "computing-logits", assignment.Round);
            var uploads = new List<(TeacherReport, float[])>(teachers.Count);
            foreach (var (id, teacher) in teachers) uploads.Add((_teachers[id], await teacher.ComputeLogitsAsync(assignment.PublicSet, assignment.PublicSetFingerprint)));
            var payload = secure is null
                ? await Task.Run(() => SoftLabelsCodec.Encode(assignment.Round, Organization, publicSet.Fingerprint, assignment.Settings.LogitsDType,
                    publicSet.Examples.ClassCount, uploads, watch.Elapsed.TotalSeconds))
                : await MaskAsync(aggregator, assignment, publicSet, session!, secure, uploads);

            await SetStatusAsync(aggregator, "uploading", assignment.Round);
            if (secure is null)
            {
                var receipt = await UploadAsync(aggregator, assignment.Round, payload, masked: false);
                Remember(assignment.Round);
                LogUploaded(_logger, Organization, assignment.Round, receipt.Bytes, receipt.Teachers, assignment.Settings.LogitsDType, receipt.UploadsInRound);
            }
            else
            {
                // The masked upload cannot be made again with other masks, so it is sent until the
                // aggregator has it: a restarted aggregator that stored it before it died says "duplicate".
                var receipt = await PersistAsync<UploadReceipt?>(assignment, async () =>
                {
                    try
                    {
                        return await UploadAsync(aggregator, assignment.Round, payload, masked: true);
                    }
                    catch (FederationException duplicate) when (duplicate.Reason == "duplicate")
                    {
                        return null;
                    }
                });
                Remember(assignment.Round);
                if (receipt is null) LogUploadedBefore(_logger, Organization, assignment.Round);
                else LogUploaded(_logger, Organization, assignment.Round, receipt.Bytes, receipt.Teachers, "masked ring", receipt.UploadsInRound);
                await SetStatusAsync(aggregator, "revealing", assignment.Round);
                var survivors = await _survivors!.Task.WaitAsync(StepTimeout(assignment));
                var reveal = secure.RevealShares(survivors).ToMessage();
                await PersistAsync(assignment, async () =>
                {
                    await aggregator.RevealSharesAsync(assignment.Round, reveal);
                    return true;
                });
            }
        }
        catch (OperationCanceledException) when (_lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogNotTaken(_logger, Organization, assignment.Round, "this silo is stopping");
        }
        catch (OperationCanceledException) when (assignment.Settings.SecureSummation)
        {
            LogNotTaken(_logger, Organization, assignment.Round, "a newer round opened while this secure round waited for the aggregator");
        }
        catch (FederationException refused) when (refused.Reason == SumsOutOfRange)
        {
            // Refused here, said to the aggregator and logged (LogOutOfRange): nothing to redo in this round.
            Remember(assignment.Round);
        }
        catch (FederationException refused) when (refused.Kind is FederationErrorKind.Conflict)
        {
            // The round closed (deadline, quorum) or already has this upload: nothing to redo.
            Remember(assignment.Round);
            LogNotTaken(_logger, Organization, assignment.Round, refused.Message);
        }
        catch (Exception error)
        {
            // The aggregator offers the round again while it is open; the error stays in this silo's log.
            LogFailed(_logger, Organization, assignment.Round, error);
        }
        finally
        {
            secure?.Dispose();
            _secureRound = 0;
            (_keys, _shares, _survivors) = (null, null, null);
            _round = null;
            _status = "idle";
            _progress = null;
        }

        await ReportQuietlyAsync(aggregator);
    }

    // Steps 1 and 2 of SecAgg: signed keys (with the weight scale this organization's own counts
    // need) out, everyone's keys in, the round's scale fixed from them, encrypted shares out.
    private async Task<SecureSummationParticipant> ShareKeysAsync(IAggregatorGrain aggregator, RoundAssignment assignment, SecureSummationSession session, IReadOnlyList<ITeacherGrain> teachers)
    {
        if (_binding is null)
        {
            if (_options.CaCertificate is null || _options.Certificate is null || _options.Key is null)
                throw new InvalidOperationException($"Round {assignment.Round} runs secure summation, which needs the organization's federation certificate: set OrganizationOptions.CaCertificate, OrganizationOptions.Certificate and OrganizationOptions.Key.");
            _authority = FederationCertificates.LoadCertificate(_options.CaCertificate);
            _certificate = FederationCertificates.LoadCertificateWithKey(_options.Certificate, _options.Key);
            _binding = new KeyBinding(_authority);
        }

        _secureRound = assignment.Round;
        _keys = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _shares = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _survivors = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var participant = new SecureSummationParticipant(session, _certificate!, _binding);
        try
        {
            if (participant.ParticipantId != Organization)
                throw new InvalidOperationException($"OrganizationOptions.Certificate names '{participant.ParticipantId}', not this organization '{Organization}'.");
            await SetStatusAsync(aggregator, "sharing-keys", assignment.Round);
            // Only count-weighted strategies need counts: the others state 0 and load no data before training.
            var exponent = 0;
            if (SecureRoundParameters.IsCountWeighted(assignment.Settings))
            {
                var counts = new List<TeacherReport>(teachers.Count);
                foreach (var teacher in teachers) counts.Add(await teacher.CountExamplesAsync(assignment.PublicSet, assignment.PublicSetFingerprint));
                exponent = SecureRoundParameters.WeightExponent(assignment.Settings, assignment.Organizations, counts);
            }

            var advertisement = participant.Advertise(exponent).ToMessage();
            await PersistAsync(assignment, async () =>
            {
                await aggregator.AdvertiseKeysAsync(assignment.Round, advertisement);
                return true;
            });
            var advertisements = await _keys.Task.WaitAsync(StepTimeout(assignment));
            var bundles = participant.ShareKeys(advertisements.Select(a => a.FromMessage()).ToList()).Select(b => b.ToMessage()).ToList();
            LogScale(_logger, Organization, assignment.Round, exponent, participant.ScaleExponent, advertisements.Count);
            await PersistAsync(assignment, async () =>
            {
                await aggregator.ShareKeysAsync(Organization, assignment.Round, bundles);
                return true;
            });
            return participant;
        }
        catch
        {
            participant.Dispose();
            throw;
        }
    }

    // Step 3: this organization's teachers folded into the strategy's sums (count-based weights
    // divided by the round's weight scale, 2^(largest exponent the keys stated)), checked against the ring's bound, masked.
    private async Task<byte[]> MaskAsync(IAggregatorGrain aggregator, RoundAssignment assignment, PublicSet publicSet, SecureSummationSession session,
        SecureSummationParticipant secure, List<(TeacherReport Report, float[] Logits)> uploads)
    {
        var classes = publicSet.Examples.ClassCount;
        var labels = publicSet.Originals.Labels!.Take(assignment.ValidationExamples).ToArray();
        var scale = InputScale.Of(secure.ScaleExponent);
        var sums = await Task.Run(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var accumulator = SecureRoundParameters.BeginSummable(assignment.Settings, publicSet.Examples.Count, classes);
            foreach (var (report, logits) in uploads)
                accumulator.Add(TeacherContributions.Create(Organization, new DecodedTeacherLogits(report, logits), classes, labels, scale).Contribution);
            return accumulator.ExportSums();
        });

        // A value beyond the bound would be clipped and the round's sum silently wrong: refuse instead, saying why.
        var beyond = SecureRoundParameters.OutOfRange(sums, session.Ring, out var largest);
        if (beyond > 0)
        {
            LogOutOfRange(_logger, Organization, assignment.Round, beyond, sums.Length, largest, session.Ring.ClipBound, scale);
            var message = $"Round {assignment.Round}: {beyond} of {sums.Length} of {Organization}'s summed values lie beyond the secure ring's clip bound ±{session.Ring.ClipBound:0} " +
                $"at weight scale 2^{secure.ScaleExponent} ({assignment.Settings.Strategy}, {assignment.Organizations} organizations); clipped, they would make the round's sum wrong, so it does not upload. " +
                $"The scale covers its weights (private examples, class counts) as its keys stated them, with logits up to ±{SecureRoundParameters.LogitBound:0}: " +
                "its teachers' logits are larger than that or not finite, or their counts changed after it stated them.";
            await PersistAsync(assignment, async () =>
            {
                await aggregator.RefuseSecureUploadAsync(assignment.Round, new SecureUploadRefusal(Organization, SumsOutOfRange, message));
                return true;
            });
            throw new FederationException(FederationErrorKind.Invalid, SumsOutOfRange, message);
        }

        var bundles = await _shares!.Task.WaitAsync(StepTimeout(assignment));
        var masked = secure.MaskInput(sums, bundles.Select(b => b.FromMessage()).ToList());
        return session.Ring.Pack(masked.Values);
    }

    // A secure round's step cannot be redone with fresh secrets (peers hold shares of these), so a
    // call that fails because the aggregator's silo is down or restarting is made again, the same
    // call with the same bytes, until the step's time is up; the restarted aggregator resumes the
    // round from its storage and answers a repeat of a step it had already stored as a success.
    private async Task<T> PersistAsync<T>(RoundAssignment assignment, Func<Task<T>> call)
    {
        var until = DateTime.UtcNow + StepTimeout(assignment);
        var wait = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception error) when (IsTransient(error) && DateTime.UtcNow < until)
            {
                LogRetrying(_logger, Organization, assignment.Round, wait.TotalSeconds, error.Message);
                await Task.Delay(wait);
                wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds * 2, 5));
            }
        }
    }

    private static bool IsTransient(Exception error) =>
        error is TimeoutException or OrleansException || error is FederationException { Kind: FederationErrorKind.Unavailable };

    // How long a step waits for the aggregator's relay: past the deadline, when the round has failed or gone on without it.
    private static TimeSpan StepTimeout(RoundAssignment assignment) => TimeSpan.FromSeconds(2.0 * assignment.Settings.DeadlineSeconds + 60);

    // Every piece but the last by itself, the last with the completion: a payload of one piece
    // (soft labels on a public set of up to about 50,000 examples in fp16) is a single call.
    private async Task<UploadReceipt> UploadAsync(IAggregatorGrain aggregator, int round, byte[] payload, bool masked)
    {
        var last = LastPieceOffset(payload.Length);
        for (var offset = 0; offset < last; offset += UploadChunk.MaxBytes)
            await aggregator.AppendUploadAsync(new UploadChunk(Organization, round, offset, payload.AsSpan(offset, UploadChunk.MaxBytes).ToArray()));

        return await aggregator.CompleteUploadAsync(new UploadCompletion(Organization, round, payload.Length, Convert.ToHexStringLower(SHA256.HashData(payload)), masked,
            payload.AsSpan(last).ToArray()));
    }

    /// <summary>Where the last piece of a payload of <paramref name="length"/> bytes (at least 1) starts, the pieces being <see cref="UploadChunk.MaxBytes"/> long.</summary>
    internal static int LastPieceOffset(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return (length - 1) / UploadChunk.MaxBytes * UploadChunk.MaxBytes;
    }

    private async Task SetStatusAsync(IAggregatorGrain aggregator, string status, int round)
    {
        _status = status;
        _round = round;
        _progress = null;
        await ReportQuietlyAsync(aggregator);
    }

    // While teacher `index` of `count` trains, reports the work's progress to the aggregator every
    // ProgressPeriod (reading the teacher's interleaved report), so the operator sees it as it goes.
    private async Task<TeacherReport> WithProgressAsync(IAggregatorGrain aggregator, ITeacherGrain teacher, int index, int count, Task<TeacherReport> work)
    {
        while (await Task.WhenAny(work, Task.Delay(ProgressPeriod)) != work)
        {
            double? progress;
            try
            {
                progress = (await teacher.GetReportAsync()).Progress;
            }
            catch (Exception error) when (error is TimeoutException or OrleansException)
            {
                // Progress is informative: a missed reading must not fail the round's work.
                LogReportFailed(_logger, Organization, error.Message);
                continue;
            }

            if (progress is not { } value) continue;
            var overall = (index + value) / count;
            if (overall == _progress) continue;
            _progress = overall;
            await ReportQuietlyAsync(aggregator);
        }

        _progress = (index + 1.0) / count;
        return await work;
    }

    // A status report is informative: losing one must not fail the round's work.
    private async Task ReportQuietlyAsync(IAggregatorGrain aggregator)
    {
        try
        {
            await aggregator.ReportAsync(Organization, Report());
        }
        catch (Exception error) when (error is FederationException or TimeoutException or OrleansException)
        {
            LogReportFailed(_logger, Organization, error.Message);
        }
    }

    private ParticipantReport Report() => new(_status, _teachers.Values.ToList(), _round, _progress);

    private void Remember(int round)
    {
        _uploaded.Enqueue(round);
        while (_uploaded.Count > RememberedRounds) _uploaded.Dequeue();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round} assigned ({Strategy}, deadline {Deadline:O})")]
    private static partial void LogAssigned(ILogger logger, string organization, int round, string strategy, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: digested the consensus of round {ConsensusRound} ({Seconds:F0} s)")]
    private static partial void LogDigested(ILogger logger, string organization, int round, int consensusRound, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: uploaded {Bytes} bytes ({Teachers} teachers, {DType}); {Uploads} uploads in the round")]
    private static partial void LogUploaded(ILogger logger, string organization, int round, long bytes, int teachers, string dtype, int uploads);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: the aggregator already had this organization's masked upload (stored before it restarted)")]
    private static partial void LogUploadedBefore(ILogger logger, string organization, int round);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Organization}: round {Round}: the aggregator did not answer a secure-summation step; the same call again in {Seconds:F1} s: {Error}")]
    private static partial void LogRetrying(ILogger logger, string organization, int round, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Organization}: round {Round}: {Beyond} of {Values} summed values (largest magnitude {Largest:G4}) lie beyond the secure ring's bound {Bound} at weight scale {Scale:G6}; not uploading clipped sums (sums-out-of-range)")]
    private static partial void LogOutOfRange(ILogger logger, string organization, int round, int beyond, int values, double largest, double bound, double scale);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: its counts need weight scale 2^{Own}; the round's, the largest the {Organizations} organizations' signed keys state, is 2^{RoundExponent}")]
    private static partial void LogScale(ILogger logger, string organization, int round, int own, int roundExponent, int organizations);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: upload not taken: {Reason}")]
    private static partial void LogNotTaken(ILogger logger, string organization, int round, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Organization}: round {Round}: the work failed")]
    private static partial void LogFailed(ILogger logger, string organization, int round, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Organization}: status report not delivered: {Error}")]
    private static partial void LogReportFailed(ILogger logger, string organization, string error);
}
