using FedDistill.Grains.Clients;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// Uploads that real organizations' client grains send (no impersonation: the aggregator judges
/// what that organization sent) and the aggregator refuses: each with its reason, recorded among
/// the rejections, and the round keeps only what it accepted.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class OrganizationUploadRefusalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// With a 16,000-byte upload limit: hospital-1's one teacher (about 10 kB of float16 logits on
    /// 500 examples) fits; hospital-2's two teachers (about 20 kB) do not, and its upload is
    /// refused as <c>too-large</c>; hospital-3 trains for 300 epochs and uploads after the deadline
    /// has closed the round, and is refused as <c>round-closed</c>. The round (quorum 1) completes
    /// from hospital-1's upload alone, and stays so after both refusals.
    /// </summary>
    [Fact]
    public async Task An_upload_over_the_limit_and_one_after_the_deadline_are_refused_and_the_round_keeps_only_what_it_accepted()
    {
        await using var federation = await FederationCluster.StartAsync(3,
            configureHospital: (index, options) =>
            {
                if (index == 1) options.Teachers = [.. options.Teachers, new TeacherOptions { Id = "mlp-b", Model = options.Teachers[0].Model, Epochs = 2, AugmentedCopies = 0 }];
                if (index == 2) options.Teachers[0].Epochs = 300;
            },
            configureAggregator: options => options.MaxUploadBytes = 16_000);
        await federation.AdmitAllAsync();

        var round = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 1, DeadlineSeconds = 600, StudentEpochs = 1, LogitsDType = "float16" });
        var tooLarge = await RejectionAsync(federation, "hospital-2");
        Assert.Equal(("too-large", round.Round), (tooLarge.Reason, tooLarge.Round));
        Assert.Contains("limit of 16000 bytes", tooLarge.Detail, StringComparison.Ordinal);
        var open = await federation.WaitForAsync(round.Round, info => info.Uploaded.Count == 1, Timeout);
        Assert.Equal(RoundState.Open, open.State);
        Assert.Equal(["hospital-1"], open.Uploaded);

        federation.Time.Advance(TimeSpan.FromSeconds(601));
        var done = await federation.WaitForEndAsync(round.Round, Timeout);
        Assert.Equal(RoundState.Completed, done.State);
        Assert.Equal(["hospital-1"], done.Uploaded);
        Assert.Equal("hospital-1", Assert.Single(done.Result!.Teachers).ParticipantId);

        var late = await RejectionAsync(federation, "hospital-3");
        Assert.Equal(("round-closed", round.Round), (late.Reason, late.Round));
        Assert.Contains($"Round {round.Round} is", late.Detail, StringComparison.Ordinal);
        var after = await federation.Aggregator.GetRoundAsync(round.Round);
        Assert.Equal((RoundState.Completed, done.Result.StudentSha256), (after.State, after.Result!.StudentSha256));
        Assert.Equal(["hospital-1"], after.Uploaded);
    }

    private static async Task<RejectionInfo> RejectionAsync(FederationCluster federation, string participant)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var rejections = await federation.Aggregator.ListRejectionsAsync();
            if (rejections.FirstOrDefault(r => r.ParticipantId == participant) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No rejection of {participant} within {Timeout.TotalSeconds} s; rejections: [{string.Join(", ", rejections.Select(r => $"{r.ParticipantId} {r.Reason}"))}].");
            await Task.Delay(200);
        }
    }
}
