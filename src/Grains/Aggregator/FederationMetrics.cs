using System.Diagnostics.Metrics;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The aggregator's instruments on the meter <see cref="MeterName"/>, recorded by the aggregator
/// grain as things happen: rounds started and ended (by state), accepted uploads and their bytes,
/// consensus bytes downloaded, refusals (by reason), round and student-training durations, and
/// admitted participants. Labels carry only states and reasons, never an organization's data.
/// </summary>
/// <remarks>Counts start at zero when the silo starts, as Prometheus counters do.</remarks>
public sealed class FederationMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FedDistill.Aggregator";

    /// <summary>Bucket upper bounds of <c>feddistill.round.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> RoundDurationBuckets { get; } = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

    /// <summary>Bucket upper bounds of <c>feddistill.student.training.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> StudentTrainingBuckets { get; } = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    private readonly Meter _meter;
    private readonly Counter<long> _roundsStarted;
    private readonly Counter<long> _roundsEnded;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _uploadBytes;
    private readonly Counter<long> _downloadBytes;
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _roundDuration;
    private readonly Histogram<double> _studentTraining;
    private int _participants;

    /// <summary>Creates the instruments.</summary>
    public FederationMetrics()
    {
        _meter = new Meter(MeterName);
        _roundsStarted = _meter.CreateCounter<long>("feddistill.rounds.started", description: "Rounds opened.");
        _roundsEnded = _meter.CreateCounter<long>("feddistill.rounds.ended", description: "Rounds that ended, by final state (completed, failed, cancelled).");
        _uploads = _meter.CreateCounter<long>("feddistill.uploads", description: "Accepted soft-label uploads.");
        _uploadBytes = _meter.CreateCounter<long>("feddistill.upload", unit: "By", description: "Bytes of accepted uploads.");
        _downloadBytes = _meter.CreateCounter<long>("feddistill.download", unit: "By", description: "Bytes organizations downloaded (the consensus they digested).");
        _rejections = _meter.CreateCounter<long>("feddistill.rejections", description: "Requests the aggregator refused, by reason (e.g. wrong-shape, duplicate).");
        _roundDuration = _meter.CreateHistogram("feddistill.round.duration", unit: "s", description: "Seconds from opening to the end of each round, by final state.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RoundDurationBuckets });
        _studentTraining = _meter.CreateHistogram("feddistill.student.training.duration", unit: "s", description: "Seconds spent distilling the student of each completed round.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StudentTrainingBuckets });
        _meter.CreateObservableGauge("feddistill.participants", () => Volatile.Read(ref _participants), description: "Admitted participants.");
        // Counters without labels start at an explicit zero, so that a scrape shows them before their first event.
        _roundsStarted.Add(0);
        _uploads.Add(0);
        _uploadBytes.Add(0);
        _downloadBytes.Add(0);
    }

    /// <summary>A round opened.</summary>
    public void RoundStarted() => _roundsStarted.Add(1);

    /// <summary>A round ended in <paramref name="state"/> after <paramref name="seconds"/>.</summary>
    public void RoundEnded(string state, double seconds)
    {
        var tag = new KeyValuePair<string, object?>("state", state);
        _roundsEnded.Add(1, tag);
        _roundDuration.Record(Math.Max(0, seconds), tag);
    }

    /// <summary>An upload of <paramref name="bytes"/> was accepted.</summary>
    public void UploadAccepted(long bytes)
    {
        _uploads.Add(1);
        _uploadBytes.Add(bytes);
    }

    /// <summary>An organization downloaded <paramref name="bytes"/> of consensus.</summary>
    public void Downloaded(long bytes) => _downloadBytes.Add(bytes);

    /// <summary>A request was refused.</summary>
    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A student trained for <paramref name="seconds"/>.</summary>
    public void StudentTrained(double seconds) => _studentTraining.Record(seconds);

    /// <summary>The number of admitted organizations.</summary>
    public void Participants(int count) => Volatile.Write(ref _participants, count);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
