namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// One federation cluster shared by the tests of a class (an xunit class fixture): started before
/// the first test, disposed after the last. Tests on it use their own rounds and grain keys.
/// </summary>
public abstract class FederationFixture : IAsyncLifetime
{
    private FederationCluster? _federation;

    /// <summary>The running cluster.</summary>
    public FederationCluster Federation => _federation ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>Hospital silos to start besides the aggregator's.</summary>
    protected abstract int Hospitals { get; }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _federation = await FederationCluster.StartAsync(Hospitals);
        await OnStartedAsync(_federation);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_federation is not null) await _federation.DisposeAsync();
    }

    /// <summary>Prepares the federation (admits participants) once the cluster runs.</summary>
    protected virtual Task OnStartedAsync(FederationCluster federation) => Task.CompletedTask;
}
