using System.Threading.Channels;

namespace FedDistill.Silo.Dashboard;

/// <summary>One subscriber's view of <see cref="DashboardEventHub"/>: the events since it subscribed. Dispose it to unsubscribe.</summary>
public sealed class DashboardSubscription : IDisposable
{
    private readonly Action _unsubscribe;
    private int _disposed;

    internal DashboardSubscription(ChannelReader<DashboardEvent> events, Action unsubscribe)
    {
        Events = events;
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in publication order; completes when the hub stops.</summary>
    public ChannelReader<DashboardEvent> Events { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _unsubscribe();
    }
}
