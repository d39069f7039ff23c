using FedDistill.Client.Federation;
using FedDistill.Testing;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using FedDistill.Transport;

namespace FedDistill.Dashboard.Tests.Support;

/// <summary>
/// One small federation for the dashboard's tests: an aggregator and two participant silos as
/// real processes on loopback with mutual TLS, settings as small as the federation tests' (a
/// 500-image public set, MLP teachers and student), so a round takes seconds.
/// </summary>
public sealed class DashboardFederation : IAsyncLifetime
{
    public const int Participants = 2;
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(2);

    private readonly TemporaryDirectory _work = new();
    private readonly SemaphoreSlim _rounds = new(1, 1);

    public LocalFederation Federation { get; private set; } = null!;

    public HttpAggregatorClient Admin => Federation.Admin;

    public string AdminCertificatePath => Path.Combine(Federation.Pki, "admin", "admin.crt");

    public string AdminKeyPath => Path.Combine(Federation.Pki, "admin", "admin.key");

    /// <summary>Settings of the rounds the tests run: every participant must upload; a short student training.</summary>
    public static RoundSettings RoundSettings => new() { Quorum = Participants, DeadlineSeconds = 120, StudentEpochs = 3 };

    public async Task InitializeAsync()
    {
        Federation = await LocalFederation.StartAsync(new LocalFederationOptions
        {
            WorkDirectory = _work.Path,
            Participants = Participants,
            AggregatorSettings = TinyFederationSettings.Aggregator("dashboard-test", new Dictionary<string, string> { ["FedDistill:Dashboard:HeartbeatSeconds"] = "2" }),
            ParticipantSettings = _ => TinyFederationSettings.Participant(2000),
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Federation is not null) await Federation.DisposeAsync();
        _work.Dispose();
        _rounds.Dispose();
    }

    /// <summary>A client without a certificate (trusting the federation's CA), as a Prometheus scraper or a stranger's browser.</summary>
    public HttpClient CreateAnonymousClient() =>
        FederationHttpClientFactory.Create(Federation.AggregatorUrl, null, FederationCertificates.LoadCertificate(Federation.CaCertificatePath), ownsCertificates: true);

    /// <summary>Starts a round and waits until it ends; one at a time.</summary>
    /// <param name="start">Starts the round (the console, or the admin client) and returns its number.</param>
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
        var completed = (await Admin.ListRoundsAsync(CancellationToken.None)).LastOrDefault(r => r.State == RoundState.Completed);
        if (completed is not null) return completed;
        var done = await RunRoundAsync(async () => (await Admin.StartRoundAsync(RoundSettings, CancellationToken.None)).Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{Federation.Logs()}");
        return done;
    }

    public async Task<RoundInfo> WaitUntilEndedAsync(int round)
    {
        using var timeout = new CancellationTokenSource(RoundTimeout);
        while (true)
        {
            var info = await Admin.GetRoundAsync(round, CancellationToken.None);
            if (info.State.IsFinal()) return info;
            if (timeout.IsCancellationRequested) throw new TimeoutException($"round {round} still {info.State} after {RoundTimeout}\n{Federation.Logs()}");
            await Task.Delay(200);
        }
    }
}
