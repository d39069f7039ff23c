using FedDistill.Client.Federation;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using FedDistill.Testing;

namespace FedDistill.Dashboard.Tests.Support;

/// <summary>
/// One small federation for the dashboard's tests: the aggregator's silo and two hospitals' silos
/// as real processes on loopback, one Orleans cluster (LocalFederation, insecure-loopback web side:
/// the identity is the <see cref="FederationHttpClientFactory.InsecureIdentityHeader"/> header),
/// settings as small as the federation tests' (a 500-image public set, MLP teachers and student),
/// so a round takes seconds.
/// </summary>
public sealed class DashboardFederation : IAsyncLifetime
{
    public const int Participants = 2;
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public const string Name = "dashboard-test";
    public static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(3);

    private readonly TemporaryDirectory _work = new();
    private readonly SemaphoreSlim _rounds = new(1, 1);

    public LocalFederation Federation { get; private set; } = null!;

    /// <summary>The aggregator grain, through the federation's own cluster client (admin operations need no identity there).</summary>
    public IAggregatorGrain Admin => Federation.Admin;

    /// <summary>Settings of the rounds the tests run: every participant must upload; a short student training.</summary>
    public static RoundSettings RoundSettings => new() { Quorum = Participants, DeadlineSeconds = 120, StudentEpochs = 3 };

    public async Task InitializeAsync()
    {
        Federation = await LocalFederation.StartAsync(new LocalFederationOptions
        {
            WorkDirectory = _work.Path,
            Participants = Participants,
            AggregatorSettings = TinyFederationSettings.Aggregator(Name, new Dictionary<string, string> { ["FedDistill:Dashboard:HeartbeatSeconds"] = "2" }),
            ParticipantSettings = _ => TinyFederationSettings.Participant(2000),
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Federation is not null) await Federation.DisposeAsync();
        _work.Dispose();
        _rounds.Dispose();
    }

    /// <summary>A web client of the aggregator's silo claiming <paramref name="identity"/> (a participant id or <c>admin</c>).</summary>
    public HttpClient CreateClient(string identity) => FederationHttpClientFactory.CreateInsecureLoopback(Federation.WebUrl, identity);

    /// <summary>A web client without an identity, as a Prometheus scraper or a stranger's browser.</summary>
    public HttpClient CreateAnonymousClient() => new() { BaseAddress = Federation.WebUrl };

    /// <summary>
    /// Makes the aggregator refuse an upload chunk for <paramref name="participantId"/> in
    /// <paramref name="round"/>: the call comes from this process's cluster client, not from that
    /// organization's client grain, so the grain records it as <c>impersonation</c>.
    /// </summary>
    public async Task<FederationException> ImpersonateAsync(string participantId, int round)
    {
        var refused = await Assert.ThrowsAsync<FederationException>(() => Admin.AppendUploadAsync(new UploadChunk(participantId, round, 0, [1, 2, 3])));
        Assert.Equal("impersonation", refused.Reason);
        return refused;
    }

    /// <summary>Starts a round and waits until it ends; one at a time.</summary>
    /// <param name="start">Starts the round (the console, or the admin grain) and returns its number.</param>
    public async Task<RoundInfo> RunRoundAsync(Func<Task<int>> start)
    {
        await _rounds.WaitAsync();
        try
        {
            var round = await start();
            return await WaitUntilEndedAsync(round);
        }
        finally
        {
            _rounds.Release();
        }
    }

    /// <summary>The newest completed round, running one first when there is none yet.</summary>
    public async Task<RoundInfo> CompletedRoundAsync()
    {
        var completed = (await Admin.ListRoundsAsync()).LastOrDefault(r => r.State == RoundState.Completed);
        if (completed is not null) return completed;
        var done = await RunRoundAsync(async () => (await Admin.StartRoundAsync(RoundSettings)).Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{Federation.Logs()}");
        return done;
    }

    /// <summary>
    /// The Orleans Dashboard's counters (<c>GET /orleans/DashboardCounters</c>) once they count
    /// <paramref name="silos"/> active silos: it samples the cluster once a second, so silos that
    /// joined a moment ago show up a little later.
    /// </summary>
    public async Task<System.Text.Json.JsonDocument> OrleansDashboardCountersAsync(HttpClient admin, int silos)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await admin.GetAsync("/orleans/DashboardCounters");
            var json = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET /orleans/DashboardCounters: {(int)response.StatusCode} {json}");
            var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.GetProperty("totalActiveHostCount").GetInt32() == silos) return document;
            document.Dispose();
            if (timeout.IsCancellationRequested) throw new TimeoutException($"the Orleans Dashboard still counts other than {silos} silos: {json}");
            await Task.Delay(500);
        }
    }

    public async Task<RoundInfo> WaitUntilEndedAsync(int round)
    {
        using var timeout = new CancellationTokenSource(RoundTimeout);
        while (true)
        {
            var info = await Admin.GetRoundAsync(round);
            if (info.State.IsFinal()) return info;
            if (timeout.IsCancellationRequested) throw new TimeoutException($"round {round} still {info.State} after {RoundTimeout}\n{Federation.Logs()}");
            await Task.Delay(200);
        }
    }
}
