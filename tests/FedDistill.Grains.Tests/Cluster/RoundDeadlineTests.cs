using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// Quorum and deadline on the federation's fake clock: four participants, one of them without a
/// silo, so every round ends at its deadline, never because everyone uploaded.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class RoundDeadlineTests(QuorumFixture fixture) : IClassFixture<QuorumFixture>
{
    private const int DeadlineSeconds = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    // The aggregator checks deadlines once a second: a few ticks with the clock short of it.
    private static readonly TimeSpan SeveralTicks = TimeSpan.FromSeconds(2.5);

    private FederationCluster Federation => fixture.Federation;

    /// <summary>
    /// With a quorum of 3, the round stays open after the three hospitals' uploads while the fake
    /// clock is short of the deadline, then distills and completes from those three once it passes.
    /// </summary>
    [Fact]
    public async Task A_round_whose_quorum_is_met_stays_open_until_the_deadline_then_completes()
    {
        var round = await Federation.Aggregator.StartRoundAsync(Settings(quorum: 3));
        try
        {
            await Federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 3, Timeout);
            Federation.Time.Advance(TimeSpan.FromSeconds(DeadlineSeconds - 1));
            await Task.Delay(SeveralTicks);
            var waiting = await Federation.Aggregator.GetRoundAsync(round.Round);
            Assert.Equal(RoundState.Open, waiting.State);

            Federation.Time.Advance(TimeSpan.FromSeconds(2));
            var done = await Federation.WaitForEndAsync(round.Round, Timeout);

            Assert.Equal(RoundState.Completed, done.State);
            Assert.Equal(Federation.Hospitals.Order(), done.Uploaded.Order());
            Assert.Equal(3, done.Result!.Teachers.Count);
            Assert.True(done.ClosedAt >= done.Deadline, $"closed at {done.ClosedAt:O}, before the deadline {done.Deadline:O}");
        }
        finally
        {
            await Federation.CancelIfRunningAsync(round.Round);
        }
    }

    /// <summary>With a quorum of 4 and one participant silent, the round fails at the deadline with a reason naming the quorum.</summary>
    [Fact]
    public async Task A_round_short_of_its_quorum_fails_at_the_deadline_naming_the_quorum()
    {
        var done = await RunShortOfQuorumAsync();

        Assert.Null(done.Result);
        Assert.DoesNotContain(QuorumFixture.Silent, done.Uploaded);
    }

    /// <summary>
    /// With the silent participant removed, all three participants upload, but three is short of a
    /// quorum of 4: the round must not distill early because everyone uploaded; it fails at the deadline.
    /// </summary>
    [Fact]
    public async Task A_round_where_everyone_uploaded_but_short_of_the_quorum_does_not_distill()
    {
        await Federation.Aggregator.RemoveParticipantAsync(QuorumFixture.Silent);
        try
        {
            await RunShortOfQuorumAsync();
        }
        finally
        {
            await Federation.Aggregator.AdmitAsync(new RegisterParticipantRequest(QuorumFixture.Silent));
        }
    }

    /// <summary>A round with quorum 4 that gets the three hospitals' uploads: open while the clock is short of the deadline, failed once past it.</summary>
    private async Task<RoundInfo> RunShortOfQuorumAsync()
    {
        var round = await Federation.Aggregator.StartRoundAsync(Settings(quorum: 4));
        try
        {
            await Federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 3 || r.State != RoundState.Open, Timeout);
            await Task.Delay(SeveralTicks);
            Assert.Equal(RoundState.Open, (await Federation.Aggregator.GetRoundAsync(round.Round)).State);

            Federation.Time.Advance(TimeSpan.FromSeconds(DeadlineSeconds + 1));
            var done = await Federation.WaitForEndAsync(round.Round, Timeout);

            Assert.Equal(RoundState.Failed, done.State);
            Assert.Contains("quorum not reached: 3 of 4", done.FailureReason);
            return done;
        }
        finally
        {
            await Federation.CancelIfRunningAsync(round.Round);
        }
    }

    private static RoundSettings Settings(int quorum) => new() { Quorum = quorum, DeadlineSeconds = DeadlineSeconds, StudentEpochs = 1 };
}
