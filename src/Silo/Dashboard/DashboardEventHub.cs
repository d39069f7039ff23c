using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Dashboard;

/// <summary>
/// Fans the federation's changes (rounds, refusals, participants), as <see cref="DashboardFeed"/>
/// reads them from the aggregator grain, out to every open <c>GET /dashboard/api/events</c> stream. Each event is serialized once; each subscriber
/// has its own bounded buffer, so a slow browser never slows the aggregator (it loses its oldest
/// events instead, and reloads its snapshot when it reconnects).
/// </summary>
public sealed partial class DashboardEventHub : IDisposable
{
    private readonly int _buffer;
    private readonly ILogger<DashboardEventHub> _logger;
    private readonly Meter _meter = new("FedDistill.Dashboard");
    private readonly HashSet<Channel<DashboardEvent>> _subscribers = [];
    private readonly CancellationTokenRegistration _stopping;
    private bool _completed;

    /// <summary>Creates the hub; streams end when the application stops.</summary>
    public DashboardEventHub(IOptions<DashboardOptions> options, IHostApplicationLifetime lifetime, ILogger<DashboardEventHub> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lifetime);
        _buffer = options.Value.SubscriberBuffer;
        _logger = logger;
        _meter.CreateObservableGauge("feddistill.dashboard.streams", () => SubscriberCount, description: "Open dashboard event streams.");
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

    /// <inheritdoc />
    public void Dispose()
    {
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closing {Streams} dashboard event streams")]
    private static partial void LogClosing(ILogger logger, int streams);
}
