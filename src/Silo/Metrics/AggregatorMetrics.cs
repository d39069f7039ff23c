using System.Diagnostics.Metrics;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Persistence;
using FedDistill.Grains.Protocol;
using FedDistill.Observability;

namespace FedDistill.Silo.Metrics;

/// <summary>
/// The aggregator's instruments on the meter <see cref="MeterName"/>, fed by the grain's events:
/// rounds started and ended (by state), accepted uploads and their bytes, bytes downloaded (from
/// round results), refusals (by reason), round and student-training durations, and participants.
/// <see cref="PrometheusExporter"/> turns them into <c>GET /metrics</c>.
/// </summary>
/// <remarks>
/// Counts start at zero when the silo starts (a restarted aggregator does not replay history), as
/// Prometheus counters do; a round resumed after a restart is counted as ended but not as started.
/// Holds no participant data beyond ids in no label: labels are only states and reasons.
/// </remarks>
public sealed class AggregatorMetrics : IHostedService, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FedDistill.Aggregator";

    /// <summary>A participant seen within this many seconds counts as active.</summary>
    public const int ActiveWithinSeconds = 60;

    /// <summary>Bucket upper bounds of <c>feddistill.round.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> RoundDurationBuckets { get; } = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

    /// <summary>Bucket upper bounds of <c>feddistill.student.training.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> StudentTrainingBuckets { get; } = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    private readonly Meter _meter;
    private readonly AggregatorGrain _grain;
    private readonly TimeProvider _time;
    private readonly Counter<long> _roundsStarted;
    private readonly Counter<long> _roundsEnded;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _uploadBytes;
    private readonly Counter<long> _downloadBytes;
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _roundDuration;
    private readonly Histogram<double> _studentTraining;
    private readonly HashSet<int> _started = [];
    private readonly HashSet<int> _ended = [];
    private int _participants;
    private int _activeParticipants;

    /// <summary>Creates the instruments and subscribes to the grain's events; dispose to unsubscribe.</summary>
    /// <param name="grain">The aggregator whose events are counted.</param>
    /// <param name="time">The clock that decides which participants are active.</param>
    public AggregatorMetrics(AggregatorGrain grain, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(time);
        _grain = grain;
        _time = time;
        _meter = new Meter(MeterName);
        _roundsStarted = _meter.CreateCounter<long>("feddistill.rounds.started", description: "Rounds opened.");
        _roundsEnded = _meter.CreateCounter<long>("feddistill.rounds.ended", description: "Rounds that ended, by final state (completed, failed, cancelled).");
        _uploads = _meter.CreateCounter<long>("feddistill.uploads", description: "Accepted soft-label uploads.");
        _uploadBytes = _meter.CreateCounter<long>("feddistill.upload", unit: "By", description: "Bytes of accepted uploads.");
        _downloadBytes = _meter.CreateCounter<long>("feddistill.download", unit: "By", description: "Bytes participants downloaded for completed rounds (the consensus they digested).");
        _rejections = _meter.CreateCounter<long>("feddistill.rejections", description: "Requests the aggregator refused, by reason (e.g. wrong-shape, duplicate).");
        _roundDuration = _meter.CreateHistogram("feddistill.round.duration", unit: "s", description: "Seconds from opening to the end of each round, by final state.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RoundDurationBuckets });
        _studentTraining = _meter.CreateHistogram("feddistill.student.training.duration", unit: "s", description: "Seconds spent distilling the student of each completed round.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StudentTrainingBuckets });
        _meter.CreateObservableGauge("feddistill.participants", () => Volatile.Read(ref _participants), description: "Admitted participants.");
        _meter.CreateObservableGauge("feddistill.participants.active", () => Volatile.Read(ref _activeParticipants),
            description: $"Participants seen within the last {ActiveWithinSeconds} seconds.");

        grain.RoundChanged += OnRoundChanged;
        grain.UploadAccepted += OnUploadAccepted;
        grain.Rejected += OnRejected;
        grain.RoundCompleted += OnRoundCompleted;
    }

    /// <summary>Reads the participants' numbers from the aggregator for the gauges; call before a scrape.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var participants = await _grain.ListParticipantsAsync(cancellationToken).ConfigureAwait(false);
        var since = _time.GetUtcNow().AddSeconds(-ActiveWithinSeconds);
        Volatile.Write(ref _participants, participants.Count);
        Volatile.Write(ref _activeParticipants, participants.Count(p => p.LastSeenAt >= since));
    }

    /// <summary>Nothing to start: registered as a hosted service so that the host creates it, and it subscribes, before the aggregator starts.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        _grain.RoundChanged -= OnRoundChanged;
        _grain.UploadAccepted -= OnUploadAccepted;
        _grain.Rejected -= OnRejected;
        _grain.RoundCompleted -= OnRoundCompleted;
        _meter.Dispose();
    }

    private void OnRoundChanged(RoundInfo round)
    {
        bool started, ended;
        lock (_started)
        {
            // A round is announced open with no uploads once, when it starts.
            started = round.State == RoundState.Open && round.Uploaded.Count == 0 && _started.Add(round.Round);
            ended = round.State.IsFinal() && _ended.Add(round.Round);
        }

        if (started) _roundsStarted.Add(1);
        if (!ended) return;
        var state = new KeyValuePair<string, object?>("state", round.State.ToName());
        _roundsEnded.Add(1, state);
        if (round.ClosedAt is { } closed) _roundDuration.Record(Math.Max(0, (closed - round.OpenedAt).TotalSeconds), state);
    }

    private void OnUploadAccepted(UploadReceipt receipt)
    {
        _uploads.Add(1);
        _uploadBytes.Add(receipt.Bytes);
    }

    private void OnRejected(RejectionRecord rejection) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("reason", rejection.Reason));

    private void OnRoundCompleted(RoundInfo round)
    {
        if (round.Result is not { } result) return;
        _downloadBytes.Add(result.DownloadedBytes);
        _studentTraining.Record(result.DistillSeconds);
    }
}
