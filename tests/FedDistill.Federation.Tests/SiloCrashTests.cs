using System.Security.Cryptography;
using FedDistill.Client.Federation;
using FedDistill.Federation.Tests.Support;
using FedDistill.Grains.Protocol;
using FedDistill.Silo.Hosting;
using Xunit.Abstractions;

namespace FedDistill.Federation.Tests;

/// <summary>
/// Silos killed mid-round as a crash would kill them, or frozen as a stalled machine would be:
/// what only separate processes over real sockets and durable storage can show. Each test has a
/// federation of its own.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class SiloCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TemporaryDirectory _work = new();
    private readonly List<LocalFederation> _federations = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var federation in _federations) await federation.DisposeAsync();
        _work.Dispose();
    }

    /// <summary>
    /// hospital-3's silo dies right after it took the round's work: the round (quorum 2) waits for
    /// its deadline, then completes with the other two; started again, hospital-3 rejoins the
    /// cluster and uploads to the next round with the others.
    /// </summary>
    [Fact]
    public async Task A_hospital_killed_mid_round_leaves_the_round_to_the_quorum_at_the_deadline_and_rejoins_the_next()
    {
        // hospital-3's first life trains its teacher long enough that it is surely killed before it
        // could upload; after the restart it trains as briefly as the others.
        var firstLife = true;
        var federation = await StartAsync(3, adjust: (index, settings) =>
        {
            if (index == 2 && firstLife) settings["FedDistill:Organization:Teachers:0:Epochs"] = "200";
        });
        Step("cluster up");
        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 40, StudentEpochs = 1 });
        await FederationPolling.ReportAsync(federation, "hospital-3", report => report.Round == round.Round);
        await federation.KillParticipantAsync(2);
        Step("hospital-3 killed");

        var done = await FederationPolling.EndedAsync(federation, round.Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
        Assert.True(done.ClosedAt >= done.Deadline, $"closed at {done.ClosedAt:O}, before the deadline {done.Deadline:O}");
        Assert.Equal(2, done.Result!.Teachers.Count);

        Step("round 1 completed");
        firstLife = false;
        federation.RestartParticipant(2);
        var next = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 1 });
        var rejoined = await FederationPolling.EndedAsync(federation, next.Round);
        Assert.True(rejoined.State == RoundState.Completed, $"round {rejoined.Round} ended {rejoined.State}: {rejoined.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2", "hospital-3"], rejoined.Uploaded.Order());
        Step("round 2 completed");
    }

    /// <summary>
    /// The aggregator's silo is killed (SIGKILL) while its round is open with one accepted upload,
    /// and started again on the same ports and storage: the round comes back open with that upload
    /// and its deadline (state in a table, the upload's payload in a blob), the resumed grain offers
    /// the work to the hospital that has not uploaded, and the round completes with both uploads.
    /// </summary>
    [Fact]
    public async Task An_aggregator_killed_mid_round_resumes_it_without_losing_an_accepted_upload()
    {
        // Only hospital-1's silo runs until the aggregator has restarted, so the round stays open with one upload.
        var federation = await StartAsync(2, startHospitals: false);
        federation.RestartParticipant(0);
        await new ClusterStorage(federation.Storage, federation.ClusterId).WaitForActiveAsync(["hospital-1"], SmallFederation.StartTimeout);
        Step("cluster up with hospital-1");
        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 300, StudentEpochs = 1 });
        var accepted = await FederationPolling.RoundAsync(federation, round.Round, info => info.Uploaded.Count > 0 || info.State.IsFinal());
        Assert.Equal(RoundState.Open, accepted.State);
        Assert.Equal(["hospital-1"], accepted.Uploaded);

        Step("hospital-1's upload accepted");
        var killed = federation.Aggregator!.ProcessId;
        await federation.RestartAggregatorAsync(CancellationToken.None);
        Assert.NotEqual(killed, federation.Aggregator!.ProcessId);

        var resumed = await federation.Admin.GetRoundAsync(round.Round);
        Assert.Equal(RoundState.Open, resumed.State);
        Assert.Equal(["hospital-1"], resumed.Uploaded);
        Assert.Equal(round.Deadline, resumed.Deadline);

        Step("aggregator restarted, round resumed");
        federation.RestartParticipant(1); // hospital-2's silo starts for the first time
        var done = await FederationPolling.EndedAsync(federation, round.Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded);
        Assert.Equal(2, done.Result!.Teachers.Count);
        Step("round completed");
        var student = await FederationPolling.StudentAsync(federation, round.Round);
        Assert.Equal(done.Result.StudentSha256, Convert.ToHexStringLower(SHA256.HashData(student)));
    }

    /// <summary>
    /// hospital-2's silo is frozen (SIGSTOP) in the middle of its teacher's training: with a 2 s
    /// membership probe timeout and 2 missed probes the aggregator and hospital-1 declare it dead
    /// in the membership table, and the round (quorum 1) completes at its deadline with hospital-1
    /// alone. Resumed (SIGCONT), the frozen process goes on training until it reads its death, then
    /// stops its training and exits with <see cref="SiloExitCodes.DeclaredDead"/> and a line saying
    /// why (not a crash of libtorch torn down under a running step); a fresh process of hospital-2
    /// joins as a new member and uploads to the next round.
    /// </summary>
    [Fact]
    public async Task A_hospital_frozen_mid_training_past_the_probe_timeout_is_declared_dead_exits_cleanly_when_resumed_and_a_fresh_start_rejoins()
    {
        // hospital-2's first life trains long enough to be frozen, and resumed, in the middle of it.
        var firstLife = true;
        var federation = await StartAsync(2, aggregatorExtra: FastMembership, adjust: (index, settings) =>
        {
            foreach (var (key, value) in FastMembership) settings[key] = value;
            if (index == 1 && firstLife) settings["FedDistill:Organization:Teachers:0:Epochs"] = "200";
        });
        var storage = new ClusterStorage(federation.Storage, federation.ClusterId);
        Step("cluster up");
        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 1, DeadlineSeconds = 40, StudentEpochs = 1 });
        await FederationPolling.ReportAsync(federation, "hospital-2", report => report.Round == round.Round && report.Progress > 0);
        var frozen = federation.Participant(1)!;
        ProcessSignals.Freeze(frozen.ProcessId);
        var frozenAt = _clock.Elapsed;
        Step("hospital-2 frozen while training");
        var firstEntry = await WaitForStatusAsync(storage, "hospital-2", "Dead", federation);
        Step($"hospital-2 declared dead {(_clock.Elapsed - frozenAt).TotalSeconds:F1} s after the freeze");

        var done = await FederationPolling.EndedAsync(federation, round.Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1"], done.Uploaded);
        Assert.True(done.ClosedAt >= done.Deadline, $"closed at {done.ClosedAt:O}, before the deadline {done.Deadline:O}");
        Step("round 1 completed without hospital-2");

        ProcessSignals.Resume(frozen.ProcessId);
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                await frozen.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException) when (exit.IsCancellationRequested)
            {
                throw new TimeoutException($"hospital-2's resumed process still runs 90 s after SIGCONT.\n{frozen.Tail(80)}");
            }
        }

        Step("the resumed process exited");
        var log = await File.ReadAllTextAsync(frozen.LogPath);
        Assert.True(frozen.ExitCode == SiloExitCodes.DeclaredDead, $"exit code {frozen.ExitCode}, not {SiloExitCodes.DeclaredDead}\n{frozen.Tail(80)}");
        Assert.Contains("Silo hospital-2", log, StringComparison.Ordinal);
        Assert.Contains("was declared dead by the cluster while it did not answer", log, StringComparison.Ordinal);
        // It stopped as the host stops, its training cancelled, not by Orleans' FailFast nor an unhandled exception.
        Assert.DoesNotContain("FailFast", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);

        firstLife = false;
        await federation.KillParticipantAsync(1); // only disposes it: the process has exited
        federation.RestartParticipant(1);
        await storage.WaitForActiveAsync(["hospital-2"], SmallFederation.StartTimeout);
        var entries = await storage.StatusesAsync("hospital-2", CancellationToken.None);
        Assert.Equal("Dead", entries[firstEntry]);
        Assert.Contains(entries, entry => entry.Key != firstEntry && entry.Value == "Active");
        Step("hospital-2 rejoined as a new member");
        var next = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 240, StudentEpochs = 1 });
        var rejoined = await FederationPolling.EndedAsync(federation, next.Round);
        Assert.True(rejoined.State == RoundState.Completed, $"round {rejoined.Round} ended {rejoined.State}: {rejoined.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2"], rejoined.Uploaded.Order());
        Step("round 2 completed");
    }

    // Membership timing for a test that waits on a death: 2 missed probes of 2 s instead of 3 of 5 s.
    private static readonly Dictionary<string, string> FastMembership = new()
    {
        ["FedDistill:Silo:ProbeTimeoutSeconds"] = "2",
        ["FedDistill:Silo:MissedProbesLimit"] = "2",
    };

    // The row key of the silo's one entry once it has that status.
    private static async Task<string> WaitForStatusAsync(ClusterStorage storage, string siloName, string status, LocalFederation federation)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        IReadOnlyDictionary<string, string> entries = new Dictionary<string, string>();
        while (!timeout.IsCancellationRequested)
        {
            entries = await storage.StatusesAsync(siloName, CancellationToken.None);
            if (entries.Count == 1 && entries.Single().Value == status) return entries.Single().Key;
            await Task.Delay(250, CancellationToken.None);
        }

        throw new TimeoutException($"{siloName}'s membership entries are [{string.Join(", ", entries.Select(e => $"{e.Key} {e.Value}"))}], not one {status}.\n{federation.Logs()}");
    }

    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private async Task<LocalFederation> StartAsync(int hospitals, bool startHospitals = true, Action<int, Dictionary<string, string>>? adjust = null,
        IReadOnlyDictionary<string, string>? aggregatorExtra = null)
    {
        var federation = await LocalFederation.StartAsync(
            SmallFederation.Options(Path.Combine(_work.Path, $"federation-{_federations.Count}"), hospitals, startHospitals, adjust: adjust, aggregatorExtra: aggregatorExtra),
            CancellationToken.None);
        _federations.Add(federation);
        if (startHospitals) await new ClusterStorage(federation.Storage, federation.ClusterId).WaitForActiveAsync(federation.ParticipantIds, SmallFederation.StartTimeout);
        return federation;
    }
}
