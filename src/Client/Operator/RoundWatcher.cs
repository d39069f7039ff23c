using FedDistill.Grains;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>Polls a round and the participants until the round ends, handing each snapshot to a view.</summary>
public static class RoundWatcher
{
    /// <summary>Polls every <paramref name="interval"/> until the round is completed, failed or cancelled; returns its final state.</summary>
    /// <param name="aggregator">The aggregator, as the admin (listing participants needs it).</param>
    /// <param name="round">The round.</param>
    /// <param name="interval">Time between polls.</param>
    /// <param name="onSnapshot">Called with every snapshot, the final one included, on the caller's flow.</param>
    /// <param name="cancellationToken">Stops watching (the round goes on).</param>
    /// <exception cref="FederationException">Unknown round.</exception>
    public static async Task<RoundInfo> WatchAsync(IAggregatorGrain aggregator, int round, TimeSpan interval, Action<RoundSnapshot> onSnapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        ArgumentNullException.ThrowIfNull(onSnapshot);
        while (true)
        {
            var info = await aggregator.GetRoundAsync(round).WaitAsync(cancellationToken).ConfigureAwait(false);
            var participants = await aggregator.ListParticipantsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            onSnapshot(new RoundSnapshot(info, participants));
            if (info.State.IsFinal()) return info;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
