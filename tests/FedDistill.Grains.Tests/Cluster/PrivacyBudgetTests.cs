using System.Text.Json;
using FedDistill.Distillation.Privacy;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// A federation with a privacy budget (ε = 5, δ = 1e-5) on a real in-process cluster of an
/// aggregator silo and three hospital silos, each with three teacher partitions: only pate-gnmax rounds run, a round's worst case is
/// checked against the budget before it opens, and completed rounds record what they spent.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class PrivacyBudgetTests
{
    private const double Budget = 5.0;
    private const double Delta = 1e-5;
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// A non-private strategy and a round too noisy-free for the budget are refused before they
    /// open (no round recorded); a private round completes and records its ε, δ and answered
    /// examples, the federation's total matches the accountant, and a second identical round,
    /// whose worst case would pass the budget, is refused with the numbers.
    /// </summary>
    [Fact]
    public async Task Rounds_are_refused_before_they_open_when_they_could_exceed_the_budget()
    {
        // Each hospital splits its data into three teacher partitions.
        await using var federation = await FederationCluster.StartAsync(configureHospital: (_, hospital) => hospital.Partitions = 3,
            configureAggregator: options => options.Privacy = new PrivacyOptions { Epsilon = Budget, Delta = Delta });
        await federation.AdmitAllAsync();
        var aggregator = federation.Aggregator;

        var notPrivate = await RefusedUnchangedAsync(aggregator, () => aggregator.StartRoundAsync(new RoundSettings { Strategy = "mean-logits" }));
        Assert.Equal(FederationErrorKind.Conflict, notPrivate.Kind);
        Assert.Equal("not-private", notPrivate.Reason);

        var tooLittleNoise = await RefusedUnchangedAsync(aggregator, () => aggregator.StartRoundAsync(Private(sigma: 5)));
        Assert.Equal("privacy-budget-exceeded", tooLittleNoise.Reason);
        Assert.Contains("NoiseSigma", tooLittleNoise.Message);

        var fresh = await aggregator.GetFederationAsync();
        Assert.Equal(new PrivacyLedger(Budget, Delta, 0, 0), fresh.Privacy);

        // 500 public examples at σ = 40 cost at most ε ≈ 3.6: one round fits in 5, two do not.
        var first = await aggregator.StartRoundAsync(Private(sigma: 40));
        var done = await federation.WaitForEndAsync(first.Round, RoundTimeout);
        Assert.Equal(RoundState.Completed, done.State);
        var result = done.Result!;
        Assert.Equal(FederationCluster.PublicExamples, result.AnsweredExamples);
        var expected = new RenyiAccountant();
        expected.AddGnMax(40, FederationCluster.PublicExamples);
        var spent = expected.GetPrivacySpent(Delta).Epsilon;
        Assert.Equal(spent, result.Epsilon!.Value, 9);
        Assert.Equal(Delta, result.Delta);
        Assert.Empty(result.Teachers);
        Assert.All(await aggregator.ListParticipantsAsync(), participant =>
            Assert.Equal(["mlp-1", "mlp-2", "mlp-3"], participant.LastReport!.Teachers.Select(t => t.TeacherId).Order()));
        var ledger = (await aggregator.GetFederationAsync()).Privacy!;
        Assert.Equal(1, ledger.PrivateRounds);
        Assert.Equal(spent, ledger.SpentEpsilon, 9);

        var over = await RefusedUnchangedAsync(aggregator, () => aggregator.StartRoundAsync(Private(sigma: 40)));
        Assert.Equal(FederationErrorKind.Conflict, over.Kind);
        Assert.Equal("privacy-budget-exceeded", over.Reason);
        Assert.Contains("budget of ε = 5", over.Message);
        Assert.Single(await aggregator.ListRoundsAsync());
    }

    private static RoundSettings Private(double sigma) =>
        new() { Strategy = RoundSettings.PrivateStrategy, NoiseSigma = sigma, Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 2 };

    private static async Task<FederationException> RefusedUnchangedAsync(IAggregatorGrain aggregator, Func<Task> call)
    {
        var before = JsonSerializer.Serialize((await aggregator.ListRoundsAsync()).ToList(), ProtocolJsonContext.Default.ListRoundInfo);
        var error = await Assert.ThrowsAsync<FederationException>(call);
        Assert.Equal(before, JsonSerializer.Serialize((await aggregator.ListRoundsAsync()).ToList(), ProtocolJsonContext.Default.ListRoundInfo));
        return error;
    }
}
