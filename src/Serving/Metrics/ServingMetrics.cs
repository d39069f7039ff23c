using System.Diagnostics.Metrics;

namespace FedDistill.Serving.Metrics;

/// <summary>
/// The student server's instruments on the meter <see cref="MeterName"/>: requests by outcome and
/// refusals by reason, examples served, request latency (a histogram, and its p50 and p99 over the
/// last <see cref="WindowSeconds"/> seconds), throughput, batch sizes and durations, and the queue's
/// depth. OpenTelemetry's Prometheus exporter turns them into <c>GET /metrics</c> (<see cref="Endpoints.MetricsEndpoints"/>).
/// </summary>
/// <remarks>
/// The meter comes from the host's <see cref="IMeterFactory"/>, so several servers in one process
/// (tests, benchmarks) each count only their own. Counts start at zero when the server starts.
/// Thread-safe.
/// </remarks>
public sealed class ServingMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FedDistill.Serving";

    /// <summary>The sliding window of the latency quantiles and the throughput, in seconds.</summary>
    public const int WindowSeconds = 60;

    /// <summary>At most this many of the latest requests make the quantiles (fewer when fewer came in the window).</summary>
    public const int LatencySamples = 4096;

    /// <summary>The value of <c>outcome</c> for a request that was answered with logits.</summary>
    public const string Served = "ok";

    /// <summary>The quantiles of <c>feddistill.serving.request.latency</c>.</summary>
    public static IReadOnlyList<double> Quantiles { get; } = [0.5, 0.99];

    /// <summary>Bucket upper bounds of <c>feddistill.serving.request.duration</c> and <c>feddistill.serving.batch.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    /// <summary>Bucket upper bounds of <c>feddistill.serving.batch.size</c>, in examples.</summary>
    public static IReadOnlyList<int> BatchSizeBuckets { get; } = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _examples;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchDuration;
    private readonly LatencyWindow _latencies;
    private readonly ThroughputWindow _throughput;
    private Func<int>? _queueDepth;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory; the meter is disposed with it (and with this object).</param>
    /// <param name="time">The clock of the sliding windows; null is the system clock.</param>
    public ServingMetrics(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        time ??= TimeProvider.System;
        _latencies = new LatencyWindow(time, TimeSpan.FromSeconds(WindowSeconds), LatencySamples);
        _throughput = new ThroughputWindow(time, WindowSeconds);
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("feddistill.serving.requests", description: "Prediction requests, by outcome (ok, invalid, too-large, overloaded, cancelled, failed).");
        _rejections = _meter.CreateCounter<long>("feddistill.serving.rejections", description: "Prediction requests refused or failed, by reason (e.g. wrong-length, not-json, overloaded).");
        _examples = _meter.CreateCounter<long>("feddistill.serving.examples", description: "Examples answered with logits.");
        _requestDuration = _meter.CreateHistogram("feddistill.serving.request.duration", unit: "s",
            description: "Seconds from a prediction request's arrival to its answer (reading, waiting for a batch, the student, writing), for answered requests.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _batchSize = _meter.CreateHistogram("feddistill.serving.batch.size", unit: "{example}", description: "Examples per batch the student ran.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchSizeBuckets });
        _batchDuration = _meter.CreateHistogram("feddistill.serving.batch.duration", unit: "s", description: "Seconds the student took per batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _meter.CreateObservableGauge("feddistill.serving.request.latency", ObserveLatency, unit: "s",
            description: $"Latency quantiles of answered requests over the last {WindowSeconds} s (or the last {LatencySamples} requests), by quantile.");
        _meter.CreateObservableGauge("feddistill.serving.throughput", () => _throughput.PerSecond(), unit: "{example}/s",
            description: $"Examples answered per second over the last {WindowSeconds} whole seconds.");
        _meter.CreateObservableGauge("feddistill.serving.queue.depth", ObserveQueueDepth, description: "Requests waiting for a batch.");
        // A counter without labels starts at an explicit zero, so that a scrape shows it before the first request.
        _examples.Add(0);
    }

    /// <summary>Counts a request answered with the logits of <paramref name="examples"/> examples after <paramref name="latency"/>.</summary>
    public void RecordServed(int examples, TimeSpan latency)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("outcome", Served));
        _examples.Add(examples);
        _requestDuration.Record(latency.TotalSeconds);
        _latencies.Add(latency.TotalSeconds);
        _throughput.Add(examples);
    }

    /// <summary>Counts a request that got no logits.</summary>
    /// <param name="outcome">The coarse outcome: invalid, too-large, overloaded, cancelled or failed.</param>
    /// <param name="reason">The machine-readable reason the client was given, e.g. <c>wrong-length</c>.</param>
    public void RecordRefused(string outcome, string reason)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Counts a batch of <paramref name="examples"/> examples that the student ran in <paramref name="duration"/>.</summary>
    public void RecordBatch(int examples, TimeSpan duration)
    {
        _batchSize.Record(examples);
        _batchDuration.Record(duration.TotalSeconds);
    }

    /// <summary>Makes the queue-depth gauge read <paramref name="depth"/> (the batcher's queue).</summary>
    public void ObserveQueueDepth(Func<int> depth)
    {
        ArgumentNullException.ThrowIfNull(depth);
        Volatile.Write(ref _queueDepth, depth);
    }

    /// <summary>The p50 and p99 latencies in seconds over the window, as the gauge reports them; null before any request was answered in it.</summary>
    public (double P50, double P99)? Latency() => _latencies.Quantiles(Quantiles) is { } values ? (values[0], values[1]) : null;

    /// <summary>Examples answered per second over the window's whole seconds, as the gauge reports it.</summary>
    public double Throughput() => _throughput.PerSecond();

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLatency()
    {
        if (_latencies.Quantiles(Quantiles) is not { } values) yield break;
        for (var i = 0; i < values.Length; i++)
            yield return new Measurement<double>(values[i], new KeyValuePair<string, object?>("quantile", Quantiles[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private IEnumerable<Measurement<int>> ObserveQueueDepth()
    {
        if (Volatile.Read(ref _queueDepth) is { } depth) yield return new Measurement<int>(depth());
    }
}
