using System.Diagnostics;
using System.Security.Cryptography;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FedDistill.Grains.Clients;

/// <summary>
/// An organization's client, on its own silo only: for each round the aggregator hands it, it has
/// its teachers prepare (train or restore), digest the last consensus in co-distillation rounds,
/// compute their logits on the public set, and uploads them. It shares nothing else.
/// </summary>
/// <remarks>
/// <see cref="AssignAsync"/> returns at once; the round's work runs as a task of the grain that
/// awaits the teacher grains (whose libtorch work runs on threads of its own), so the grain's
/// turn is never held by it and its calls to the aggregator carry the grain's identity, which is
/// what the aggregator checks an upload's sender against.
/// </remarks>
[GrainType(GrainTypeName)]
[OrganizationPlacement]
public sealed partial class ClientGrain : Grain, IClientGrain
{
    /// <summary>The client grain's type name.</summary>
    public const string GrainTypeName = "client";

    private const int RememberedRounds = 64;

    private readonly OrganizationOptions _options;
    private readonly PublicSetCatalog _catalog;
    private readonly ILogger<ClientGrain> _logger;
    private readonly Queue<int> _uploaded = new();
    private readonly Dictionary<string, TeacherReport> _teachers = new(StringComparer.Ordinal);
    private Task? _work;
    private int? _round;
    private string _status = "idle";

    /// <summary>Created by Orleans on the organization's silo.</summary>
    public ClientGrain(IOptions<OrganizationOptions> options, PublicSetCatalog catalog, ILogger<ClientGrain> logger)
    {
        _options = options.Value;
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
        if (_work is { IsCompleted: false } || _uploaded.Contains(assignment.Round)) return Task.CompletedTask;
        _round = assignment.Round;
        LogAssigned(_logger, Organization, assignment.Round, assignment.Settings.Strategy, assignment.Deadline);
        _work = WorkAsync(assignment);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ParticipantReport> GetStatusAsync() => Task.FromResult(Report());

    // Runs on the grain's scheduler between its requests; every long step is an awaited call to a
    // teacher grain or a task on the thread pool, so nothing here blocks the grain.
    private async Task WorkAsync(RoundAssignment assignment)
    {
        var aggregator = GrainFactory.GetGrain<IAggregatorGrain>(assignment.Federation);
        var watch = Stopwatch.StartNew();
        try
        {
            var publicSet = await Task.Run(() => _catalog.GetVerified(assignment.PublicSet, assignment.PublicSetFingerprint));
            var teachers = _options.EffectiveTeachers.Select(t => (t.Id, Grain: GrainFactory.GetGrain<ITeacherGrain>(SiteNames.TeacherKey(Organization, t.Id)))).ToList();
            await SetStatusAsync(aggregator, "training", assignment.Round);
            foreach (var (id, teacher) in teachers) _teachers[id] = await teacher.PrepareAsync(assignment.PublicSet, assignment.PublicSetFingerprint);

            if (assignment.ConsensusRound is { } consensusRound && assignment.Settings.FineTuneEpochs > 0)
            {
                await SetStatusAsync(aggregator, "digesting", assignment.Round);
                using var body = new MemoryStream();
                await foreach (var chunk in aggregator.ReadConsensusAsync(Organization, consensusRound)) body.Write(chunk);
                var consensus = SoftLabelsCodec.DecodeConsensus(body.ToArray(), publicSet.Fingerprint, publicSet.Examples.Count, publicSet.Examples.ClassCount);
                for (var i = 0; i < teachers.Count; i++)
                {
                    var seed = _options.Seed + (ulong)assignment.Round * 1_000 + (ulong)i;
                    _teachers[teachers[i].Id] = await teachers[i].Grain.DigestAsync(new DigestRequest(assignment.PublicSet, assignment.PublicSetFingerprint, consensus,
                        assignment.Settings.Temperature, assignment.Settings.FineTuneEpochs, assignment.Settings.RevisitEpochs, seed));
                }

                LogDigested(_logger, Organization, assignment.Round, consensusRound, watch.Elapsed.TotalSeconds);
            }

            await SetStatusAsync(aggregator, "computing-logits", assignment.Round);
            var uploads = new List<(TeacherReport, float[])>(teachers.Count);
            foreach (var (id, teacher) in teachers) uploads.Add((_teachers[id], await teacher.ComputeLogitsAsync(assignment.PublicSet, assignment.PublicSetFingerprint)));
            var payload = await Task.Run(() => SoftLabelsCodec.Encode(assignment.Round, Organization, publicSet.Fingerprint, assignment.Settings.LogitsDType,
                publicSet.Examples.ClassCount, uploads, watch.Elapsed.TotalSeconds));

            await SetStatusAsync(aggregator, "uploading", assignment.Round);
            var receipt = await UploadAsync(aggregator, assignment.Round, payload);
            Remember(assignment.Round);
            LogUploaded(_logger, Organization, assignment.Round, receipt.Bytes, receipt.Teachers, assignment.Settings.LogitsDType, receipt.UploadsInRound);
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
            _round = null;
            _status = "idle";
        }

        await ReportQuietlyAsync(aggregator);
    }

    private async Task<UploadReceipt> UploadAsync(IAggregatorGrain aggregator, int round, byte[] payload)
    {
        for (var offset = 0; offset < payload.Length; offset += UploadChunk.MaxBytes)
        {
            var length = Math.Min(UploadChunk.MaxBytes, payload.Length - offset);
            await aggregator.AppendUploadAsync(new UploadChunk(Organization, round, offset, payload.AsSpan(offset, length).ToArray()));
        }

        return await aggregator.CompleteUploadAsync(new UploadCompletion(Organization, round, payload.Length, Convert.ToHexStringLower(SHA256.HashData(payload))));
    }

    private async Task SetStatusAsync(IAggregatorGrain aggregator, string status, int round)
    {
        _status = status;
        _round = round;
        await ReportQuietlyAsync(aggregator);
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

    private ParticipantReport Report() => new(_status, _teachers.Values.ToList(), _round);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization}: round {Round}: upload not taken: {Reason}")]
    private static partial void LogNotTaken(ILogger logger, string organization, int round, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Organization}: round {Round}: the work failed")]
    private static partial void LogFailed(ILogger logger, string organization, int round, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Organization}: status report not delivered: {Error}")]
    private static partial void LogReportFailed(ILogger logger, string organization, string error);
}
