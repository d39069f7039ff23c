using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Persistence;
using FedDistill.Grains.Protocol;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Dashboard;

/// <summary>
/// Fans the aggregator's events (round changes, accepted uploads, refusals, participant reports)
/// out to every open <c>GET /v1/events</c> stream. Each event is serialized once; each subscriber
/// has its own bounded buffer, so a slow browser never slows the aggregator (it loses its oldest
/// events instead, and reloads its snapshot when it reconnects).
/// </summary>
public sealed partial class DashboardEventHub : IHostedService, IDisposable
{
    private readonly AggregatorGrain _grain;
    private readonly int _buffer;
    private readonly ILogger<DashboardEventHub> _logger;
    private readonly Meter _meter = new("FedDistill.Dashboard");
    private readonly HashSet<Channel<DashboardEvent>> _subscribers = [];
    private readonly CancellationTokenRegistration _stopping;
    private bool _completed;

    /// <summary>Subscribes to the grain's events; streams end when the application stops.</summary>
    public DashboardEventHub(AggregatorGrain grain, IOptions<DashboardOptions> options, IHostApplicationLifetime lifetime, ILogger<DashboardEventHub> logger)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lifetime);
        _grain = grain;
        _buffer = options.Value.SubscriberBuffer;
        _logger = logger;
        _meter.CreateObservableGauge("feddistill.dashboard.streams", () => SubscriberCount, description: "Open GET /v1/events streams.");
        grain.RoundChanged += OnRoundChanged;
        grain.UploadAccepted += OnUploadAccepted;
        grain.Rejected += OnRejected;
        grain.ParticipantReported += OnParticipantReported;
        _stopping = lifetime.ApplicationStopping.Register(Complete);
    }

    /// <summary>Open subscriptions.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_subscribers) return _subscribers.Count;
        }
    }

    /// <summary>A new subscription, receiving every event published from now on; dispose it when the stream ends.</summary>
    public DashboardSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<DashboardEvent>(new BoundedChannelOptions(_buffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_subscribers)
        {
            if (_completed) channel.Writer.TryComplete();
            else _subscribers.Add(channel);
        }

        return new DashboardSubscription(channel.Reader, () => Unsubscribe(channel));
    }

    /// <summary>Serializes a payload once and hands it to every subscriber.</summary>
    /// <param name="type">The event name.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="typeInfo">Its source-generated JSON contract.</param>
    public void Publish<T>(string type, T payload, JsonTypeInfo<T> typeInfo)
    {
        var item = new DashboardEvent(type, JsonSerializer.Serialize(payload, typeInfo));
        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(item);
        }
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
        _grain.ParticipantReported -= OnParticipantReported;
        _stopping.Dispose();
        Complete();
        _meter.Dispose();
    }

    private void Unsubscribe(Channel<DashboardEvent> channel)
    {
        lock (_subscribers) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    private void Complete()
    {
        lock (_subscribers)
        {
            if (_completed) return;
            _completed = true;
            foreach (var subscriber in _subscribers) subscriber.Writer.TryComplete();
            if (_subscribers.Count > 0) LogClosing(_logger, _subscribers.Count);
            _subscribers.Clear();
        }
    }

    private void OnRoundChanged(RoundInfo round) => Publish("round", round, ProtocolJsonContext.Default.RoundInfo);

    private void OnUploadAccepted(UploadReceipt receipt) => Publish("upload", receipt, ProtocolJsonContext.Default.UploadReceipt);

    private void OnRejected(RejectionRecord rejection) => Publish("rejection", rejection, DashboardJsonContext.Default.RejectionRecord);

    private void OnParticipantReported(ParticipantInfo participant) => Publish("participant", participant, ProtocolJsonContext.Default.ParticipantInfo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closing {Streams} dashboard event streams")]
    private static partial void LogClosing(ILogger logger, int streams);
}
