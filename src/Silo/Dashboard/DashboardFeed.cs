using FedDistill.Grains;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Dashboard;

/// <summary>
/// Reads the federation from its aggregator grain once a second and publishes what changed
/// (rounds, participants, refusals) to the dashboard's streams. The grain is the only source of
/// truth; the feed keeps just enough to tell what is new.
/// </summary>
public sealed partial class DashboardFeed(
    IGrainFactory grains,
    IOptions<AggregatorOptions> aggregator,
    DashboardEventHub hub,
    ILogger<DashboardFeed> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly Dictionary<int, RoundInfo> _rounds = [];
    private readonly Dictionary<string, ParticipantInfo> _participants = new(StringComparer.Ordinal);
    private DateTimeOffset _lastRejection = DateTimeOffset.MinValue;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var federation = grains.GetGrain<IAggregatorGrain>(aggregator.Value.FederationName);
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollAsync(federation);
            }
            catch (Exception error) when (error is OrleansException or TimeoutException or FederationException)
            {
                // The silo is starting or the grain is resuming a round: the next tick tries again.
                LogPollFailed(logger, error.Message);
            }
        }
    }

    private async Task PollAsync(IAggregatorGrain federation)
    {
        foreach (var round in await federation.ListRoundsAsync())
        {
            if (_rounds.TryGetValue(round.Round, out var known) && Same(known, round)) continue;
            _rounds[round.Round] = round;
            hub.Publish("round", round, ProtocolJsonContext.Default.RoundInfo);
        }

        foreach (var participant in await federation.ListParticipantsAsync())
        {
            if (_participants.TryGetValue(participant.ParticipantId, out var known) && known == participant) continue;
            _participants[participant.ParticipantId] = participant;
            hub.Publish("participant", participant, ProtocolJsonContext.Default.ParticipantInfo);
        }

        var rejections = await federation.ListRejectionsAsync();
        foreach (var rejection in rejections.Where(r => r.At > _lastRejection).Reverse())
            hub.Publish("rejection", rejection, DashboardJsonContext.Default.RejectionInfo);
        if (rejections.Count > 0) _lastRejection = rejections.Max(r => r.At);
    }

    // Records compare their lists by reference: compare what the page shows instead.
    private static bool Same(RoundInfo a, RoundInfo b) =>
        a.State == b.State && a.Uploaded.Count == b.Uploaded.Count && a.DistillProgress == b.DistillProgress && a.ClosedAt == b.ClosedAt;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dashboard feed: the aggregator did not answer ({Error})")]
    private static partial void LogPollFailed(ILogger logger, string error);
}
