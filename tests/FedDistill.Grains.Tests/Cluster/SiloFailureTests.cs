using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>A hospital's silo dies mid-round: the federation goes on without it.</summary>
[Trait("Tier", "Slow")]
public sealed class SiloFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Hospital-3's silo is killed right after the round opens: the other two upload, the round
    /// waits for its deadline on the fake clock, then completes from their two uploads (quorum 2).
    /// </summary>
    [Fact]
    public async Task A_round_completes_with_the_survivors_when_a_hospital_silo_is_killed_mid_round()
    {
        await using var federation = await FederationCluster.StartAsync();
        await federation.AdmitAllAsync();

        var round = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 60, StudentEpochs = 1 });
        await federation.Cluster.KillSiloAsync(federation.SiloOf("hospital-3"));

        var uploaded = await federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 2, Timeout);
        Assert.Equal(RoundState.Open, uploaded.State);
        federation.Time.Advance(TimeSpan.FromSeconds(61));
        var done = await federation.WaitForEndAsync(round.Round, Timeout);

        Assert.Equal(RoundState.Completed, done.State);
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
        Assert.Equal(2, done.Result!.Teachers.Count);
    }
}
