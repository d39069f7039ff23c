using FedDistill.Grains;
using FedDistill.Grains.Protocol;

namespace FedDistill.Silo.Dashboard;

/// <summary>Builds a <see cref="RejectionSummary"/> from the refusals the aggregator grain keeps.</summary>
public static class RejectionSummaryBuilder
{
    /// <summary>The most refusals counted by reason: all the federation keeps (its newest).</summary>
    public const int CountWindow = 200;

    /// <summary>The newest <paramref name="limit"/> refusals and the counts by reason over the newest <see cref="CountWindow"/>.</summary>
    /// <param name="aggregator">The aggregator.</param>
    /// <param name="limit">How many recent refusals to list, 1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task<RejectionSummary> BuildAsync(IAggregatorGrain aggregator, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        var all = await aggregator.ListRejectionsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var counts = all.GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new RejectionSummary(all.Take(Math.Clamp(limit, 1, 1000)).ToList(), counts, all.Count);
    }
}
