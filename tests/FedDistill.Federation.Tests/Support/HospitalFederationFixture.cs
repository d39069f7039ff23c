using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// One federation shared by the tests of <see cref="HospitalFederationCollection"/>: an aggregator silo and three hospital silos (small CNN
/// teachers) as processes on loopback, forming one Orleans cluster over Azurite. Started once,
/// with every hospital in the cluster before the first test, and killed at the end.
/// </summary>
public sealed class HospitalFederationFixture : IAsyncLifetime
{
    public const int Hospitals = 3;

    private readonly TemporaryDirectory _work = new();
    private readonly SemaphoreSlim _rounds = new(1, 1);
    private LocalFederation? _federation;

    public LocalFederation Federation => _federation ?? throw new InvalidOperationException("The federation has not started.");

    /// <summary>The cluster's tables and containers, read directly.</summary>
    public ClusterStorage Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _federation = await LocalFederation.StartAsync(SmallFederation.Options(_work.Path, Hospitals, cnnTeachers: true), CancellationToken.None);
        Storage = new ClusterStorage(_federation.Storage, _federation.ClusterId);
        await Storage.WaitForActiveAsync(_federation.ParticipantIds, SmallFederation.StartTimeout);
    }

    public async Task DisposeAsync()
    {
        if (_federation is not null) await _federation.DisposeAsync();
        _work.Dispose();
        _rounds.Dispose();
    }

    /// <summary>Starts a round and waits for its end; rounds of the tests sharing this federation run one at a time.</summary>
    public async Task<RoundInfo> RunRoundAsync(RoundSettings settings)
    {
        await _rounds.WaitAsync();
        try
        {
            var round = await Federation.Admin.StartRoundAsync(settings).WaitAsync(FederationPolling.Timeout);
            return await FederationPolling.EndedAsync(Federation, round.Round);
        }
        finally
        {
            _rounds.Release();
        }
    }

    /// <summary>
    /// Admits <paramref name="participantId"/>, whose silo never starts, runs <paramref name="run"/>,
    /// and removes it again, so that the tests after see the three hospitals only.
    /// </summary>
    public async Task<T> WithAbsentParticipantAsync<T>(string participantId, Func<Task<T>> run)
    {
        await Federation.Admin.AdmitAsync(new RegisterParticipantRequest(participantId)).WaitAsync(FederationPolling.Timeout);
        try
        {
            return await run();
        }
        finally
        {
            await Federation.Admin.RemoveParticipantAsync(participantId).WaitAsync(FederationPolling.Timeout);
        }
    }

    /// <summary>The latest completed round, after running a one-shot round when there is none yet.</summary>
    public async Task<RoundInfo> CompletedRoundAsync()
    {
        var rounds = await Federation.Admin.ListRoundsAsync().WaitAsync(FederationPolling.Timeout);
        if (rounds.LastOrDefault(r => r.State == RoundState.Completed) is { } completed) return completed;
        var round = await RunRoundAsync(new RoundSettings { Quorum = Hospitals, DeadlineSeconds = 240, StudentEpochs = 1 });
        Assert.True(round.State == RoundState.Completed, $"round {round.Round} ended {round.State}: {round.FailureReason}\n{Federation.Logs()}");
        return round;
    }
}
