using FedDistill.Grains;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>
/// Follows one round live through the aggregator's grain observer: subscribes an
/// <see cref="IRoundObserver"/> (<see cref="RoundFeed"/>), hands on the snapshot the subscription
/// returns, then every notification about that round in the aggregator's order (by its sequence
/// numbers) as it arrives, and renews the subscription well before it lapses, until the round
/// ends. Used by <c>rounds watch</c> and the demo.
/// </summary>
public static class RoundFollower
{
    /// <summary>How long a notification that arrived before an earlier one waits for it.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(2);

    /// <summary>Follows <paramref name="round"/> until it is completed, failed or cancelled; returns its final state.</summary>
    /// <param name="grains">The Orleans client that hosts the observer.</param>
    /// <param name="aggregator">The aggregator, as the admin (subscribing needs it).</param>
    /// <param name="round">The round.</param>
    /// <param name="onUpdate">Called with the snapshot, then every update about the round, in order, on the caller's flow.</param>
    /// <param name="cancellationToken">Stops following (the round goes on).</param>
    /// <param name="time">The clock that stamps updates and times renewals (the system's by default).</param>
    /// <exception cref="FederationException">Unknown round, or the subscription was refused.</exception>
    public static async Task<RoundInfo> FollowAsync(IGrainFactory grains, IAggregatorGrain aggregator, int round, Action<RoundUpdate> onUpdate,
        CancellationToken cancellationToken, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(aggregator);
        ArgumentNullException.ThrowIfNull(onUpdate);
        time ??= TimeProvider.System;
        var feed = new RoundFeed(time);
        var observer = grains.CreateObjectReference<IRoundObserver>(feed);
        try
        {
            var subscription = await aggregator.SubscribeAsync(observer, round).WaitAsync(cancellationToken).ConfigureAwait(false);
            onUpdate(new RoundUpdate("snapshot", time.GetUtcNow(), subscription.Sequence, Snapshot: subscription));
            if (subscription.Round.State.IsFinal()) return subscription.Round;
            // Renew at a quarter of the expiry: three renewals may be lost before it lapses.
            var renewal = subscription.Expiry / 4;
            var renewAt = time.GetUtcNow() + renewal;
            // Notifications are handed on in the aggregator's order: one that arrives early waits
            // for those before it, at most GapWait (a one-way message may be lost).
            var next = subscription.Sequence + 1;
            var early = new SortedDictionary<long, RoundUpdate>();
            DateTimeOffset? gapSince = null;
            // Hands on an update about this round; returns the round's final state when it ends it.
            RoundInfo? Deliver(RoundUpdate update)
            {
                if (update.RoundNumber is { } about && about != round) return null;
                onUpdate(update);
                return update.Final;
            }

            while (true)
            {
                while (early.Remove(next, out var ready))
                {
                    next++;
                    if (Deliver(ready) is { } final) return final;
                }

                var now = time.GetUtcNow();
                gapSince = early.Count == 0 ? null : gapSince ?? now;
                if (gapSince is { } since && now - since >= GapWait)
                {
                    next = early.Keys.First();
                    gapSince = null;
                    continue;
                }

                var wait = renewAt - now;
                if (gapSince is { } waiting && waiting + GapWait - now < wait) wait = waiting + GapWait - now;
                RoundUpdate? update = null;
                if (wait > TimeSpan.Zero)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(wait);
                    try
                    {
                        update = await feed.Updates.ReadAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // A gap waited long enough, or time to renew: handled below.
                    }
                }

                if (update is not null)
                {
                    if (update.Sequence >= next) early[update.Sequence] = update;
                    continue;
                }

                if (time.GetUtcNow() < renewAt) continue;
                // Renewing also returns the round as it is: a final state lost in transit still ends the watch.
                var renewed = await aggregator.SubscribeAsync(observer, round).WaitAsync(cancellationToken).ConfigureAwait(false);
                renewAt = time.GetUtcNow() + renewal;
                if (renewed.Round.State.IsFinal())
                {
                    onUpdate(new RoundUpdate("round", time.GetUtcNow(), renewed.Sequence, Round: renewed.Round));
                    return renewed.Round;
                }

                // A restarted aggregator numbers from 1 again (and has forgotten this subscription, now renewed).
                if (renewed.Sequence < next - 1)
                {
                    next = renewed.Sequence + 1;
                    early.Clear();
                }
            }

        }
        finally
        {
            await UnsubscribeAsync(aggregator, observer).ConfigureAwait(false);
            grains.DeleteObjectReference<IRoundObserver>(observer);
        }
    }

    private static async Task UnsubscribeAsync(IAggregatorGrain aggregator, IRoundObserver observer)
    {
        try
        {
            await aggregator.UnsubscribeAsync(observer).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OrleansException or TimeoutException or FederationException)
        {
            // Nothing to undo: a subscription that is not renewed lapses at the aggregator by itself.
        }
    }
}
