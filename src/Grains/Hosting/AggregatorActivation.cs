using FedDistill.Grains.Aggregator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FedDistill.Grains.Hosting;

/// <summary>
/// Keeps the federation's aggregator grain active on the aggregator's silo: it activates the grain
/// as soon as the silo is up, so that a round that was open or distilling when the previous
/// process died resumes without waiting for a call, and checks again every
/// <see cref="CheckPeriod"/>.
/// </summary>
/// <remarks>
/// This replaces an Orleans reminder. Orleans spreads its reminder service over every silo of the
/// cluster, and here every organization's silo is a member: the aggregator's reminder would be
/// kept and fired by whichever silo's share of the ring its key fell in, an organization's silo
/// that is frozen or cut off would make registering it wait and fail (a round could not open
/// until the cluster declared that silo dead), and each organization would need access to the
/// shared reminders table. The aggregator's own silo is the only one whose survival matters for
/// the aggregator's rounds, so it keeps its grain alive itself; the round's deadline is stored in
/// the federation's state and checked by the grain's timer.
/// </remarks>
public sealed partial class AggregatorActivation(IGrainFactory grains, IOptions<AggregatorOptions> options, ILogger<AggregatorActivation> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How often the grain is checked (activated again if it was deactivated).</summary>
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(AggregatorActivation), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = KeepActiveAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        // The loop ends at its cancelled wait; a call in flight is abandoned with the silo.
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task KeepActiveAsync(CancellationToken stopping)
    {
        var federation = options.Value.FederationName;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IAggregatorGrain>(federation).GetFederationAsync().WaitAsync(stopping);
            }
            catch (Exception error) when (!stopping.IsCancellationRequested)
            {
                // Tried again at the next check; the activation's own error is in this silo's log too.
                LogActivationFailed(logger, error, federation, CheckPeriod.TotalSeconds);
            }

            await Task.Delay(CheckPeriod, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The aggregator of federation {Federation} could not be activated on this silo; trying again in {Seconds:F0} s")]
    private static partial void LogActivationFailed(ILogger logger, Exception error, string federation, double seconds);
}
