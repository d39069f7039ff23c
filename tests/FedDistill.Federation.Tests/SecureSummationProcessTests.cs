using System.Diagnostics;
using FedDistill.Client.Federation;
using FedDistill.Federation.Tests.Support;
using FedDistill.Grains.Protocol;
using Xunit.Abstractions;

namespace FedDistill.Federation.Tests;

/// <summary>
/// Secure-summation rounds across silo processes: the local federation's PKI gives every
/// organization the certificate it signs its keys with and the aggregator the CA it checks them
/// against, keys and shares travel between processes over mutual TLS, and the aggregator's state
/// is in Azurite. Each test has a federation of its own.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class SecureSummationProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TemporaryDirectory _work = new();
    private readonly List<LocalFederation> _federations = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var federation in _federations) await federation.DisposeAsync();
        _work.Dispose();
    }

    /// <summary>
    /// A plain round (float32 uploads), then a secure round with the same teachers (restored from
    /// each hospital's storage): the secure round completes with both hospitals, publishes no
    /// per-teacher metrics, and its ensemble equals the plain round's within the ring's precision
    /// (2^-17 a value, far below the 1e-4 allowed here).
    /// </summary>
    [Fact]
    public async Task A_secure_round_across_silo_processes_equals_the_plain_round_within_the_rings_precision()
    {
        var federation = await StartAsync(2);
        Step("cluster up");
        var settings = new RoundSettings { Strategy = "mean-logits", Quorum = 2, DeadlineSeconds = 240, StudentEpochs = 1, LogitsDType = "float32" };

        var plain = await FederationPolling.EndedAsync(federation, (await federation.Admin.StartRoundAsync(settings)).Round);
        Assert.True(plain.State == RoundState.Completed, $"round {plain.Round} ended {plain.State}: {plain.FailureReason}\n{federation.Logs()}");
        Step("plain round completed");
        var secure = await FederationPolling.EndedAsync(federation, (await federation.Admin.StartRoundAsync(settings with { SecureSummation = true })).Round);
        Assert.True(secure.State == RoundState.Completed, $"round {secure.Round} ended {secure.State}: {secure.FailureReason}\n{federation.Logs()}");
        Step("secure round completed");

        Assert.Equal(federation.ParticipantIds, secure.Uploaded.Order());
        Assert.Empty(secure.Result!.Teachers);
        var plainEnsemble = await ConsensusAsync(federation, plain.Round);
        var secureEnsemble = await ConsensusAsync(federation, secure.Round);
        var largest = plainEnsemble.Zip(secureEnsemble, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"largest difference between the plain and the secure ensemble: {largest:E2}");
        Assert.True(largest <= 1e-4, $"the secure ensemble differs from the plain one by up to {largest}");
    }

    /// <summary>
    /// The aggregator's silo is killed (SIGKILL) mid secure round, when both hospitals have shared
    /// their keys and hospital-1's masked upload was accepted while hospital-2 still trains, and is
    /// started again on the same ports and storage: it replays the stored keys, share bundles and
    /// masked upload and resumes the masking phase; hospital-2's masked upload (sent again if it
    /// came while the aggregator was down) completes it, both hospitals reveal to the restarted
    /// aggregator, and the round completes with both uploads: nothing accepted was lost, and
    /// hospital-1, which sent its upload to the killed aggregator, never sends it again. The round
    /// weights by private examples (<c>fixed-weights</c>), and the restarted aggregator derives the
    /// same weight scale from the replayed keys as the killed one did from the keys it received.
    /// </summary>
    [Fact]
    public async Task An_aggregator_killed_mid_secure_round_resumes_the_protocol_from_storage_and_the_round_completes()
    {
        // hospital-2 trains long enough for the aggregator to be killed and restarted before it can upload.
        var federation = await StartAsync(2, adjust: (index, settings) =>
        {
            if (index != 1) return;
            settings["FedDistill:Organization:Teachers:0:Epochs"] = "150";
            settings["FedDistill:Organization:Teachers:0:BatchSize"] = "16";
        });
        Step("cluster up");
        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Strategy = "fixed-weights", Quorum = 2, DeadlineSeconds = 300, StudentEpochs = 1, SecureSummation = true });
        var accepted = await FederationPolling.RoundAsync(federation, round.Round, info => info.Uploaded.Count > 0 || info.State.IsFinal());
        Assert.True(accepted.State == RoundState.Open, $"round {accepted.Round} is {accepted.State}: {accepted.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1"], accepted.Uploaded);
        Step("keys and shares exchanged, hospital-1's masked upload accepted");

        var killed = federation.Aggregator!.ProcessId;
        await federation.RestartAggregatorAsync(CancellationToken.None);
        Assert.NotEqual(killed, federation.Aggregator!.ProcessId);
        var resumed = await federation.Admin.GetRoundAsync(round.Round);
        Assert.True(resumed.State is RoundState.Open or RoundState.Distilling or RoundState.Completed, $"round {resumed.Round} is {resumed.State}: {resumed.FailureReason}\n{federation.Logs()}");
        Assert.Contains("hospital-1", resumed.Uploaded);
        Step("aggregator restarted");

        var done = await FederationPolling.EndedAsync(federation, round.Round);
        Assert.True(done.State == RoundState.Completed, $"round {done.Round} ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
        Assert.Empty(done.Result!.Teachers);
        Step("round completed");

        var log = await ReadSharedAsync(federation.Aggregator.LogPath);
        Assert.Contains($"Round {round.Round}: secure summation resumed in its Masking phase from storage: 2 keys, 2 share lists, 1 masked uploads, 0 reveals", log);
        Assert.Contains($"Round {round.Round}: unmasked the sum of 2 organizations (0 dropped out", log);
        var scales = System.Text.RegularExpressions.Regex.Matches(log, $@"Round {round.Round}: secure summation's weight scale is 2\^(-?\d+) ").Select(match => match.Groups[1].Value).ToList();
        output.WriteLine($"weight scale exponents logged before and after the restart: {string.Join(", ", scales)}");
        Assert.Equal(2, scales.Count);
        Assert.Single(scales.Distinct());
        // A sum with a mask left in it is noise: its ensemble would score about 0.1, chance on ten classes.
        Assert.NotNull(done.Result.EnsembleAccuracy);
        Assert.InRange(done.Result.EnsembleAccuracy!.Value, 0.3, 1.0);
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    // The round's consensus, downloaded through the gateway as organizations read it. The codec is
    // the aggregator's (not referenced here): its MessagePack array ends with the [N, C] float32
    // logits as a bin 16 (0xC5, the length big-endian, then the bytes: 20,000 of them here), read from the end.
    private static async Task<float[]> ConsensusAsync(LocalFederation federation, int round)
    {
        using var body = new MemoryStream();
        await foreach (var chunk in federation.Admin.ReadConsensusAsync(null, round)) body.Write(chunk);
        var bytes = body.ToArray();
        var length = SmallFederation.PublicExamples * SmallFederation.Classes * sizeof(float);
        Assert.True(bytes.Length > length + 3, $"the consensus of round {round} has {bytes.Length} bytes");
        var header = bytes.AsSpan(bytes.Length - length - 3, 3);
        Assert.Equal(0xC5, header[0]);
        Assert.Equal(length, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(header[1..]));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(bytes.Length - length)).ToArray();
    }

    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private async Task<LocalFederation> StartAsync(int hospitals, bool startHospitals = true, Action<int, Dictionary<string, string>>? adjust = null)
    {
        var federation = await LocalFederation.StartAsync(
            SmallFederation.Options(Path.Combine(_work.Path, $"federation-{_federations.Count}"), hospitals, startHospitals, adjust: adjust), CancellationToken.None);
        _federations.Add(federation);
        if (startHospitals) await new ClusterStorage(federation.Storage, federation.ClusterId).WaitForActiveAsync(federation.ParticipantIds, SmallFederation.StartTimeout);
        return federation;
    }
}
