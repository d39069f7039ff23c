using FedDistill.Distillation.Privacy;

namespace FedDistill.Distillation.Tests.Privacy;

public sealed class GnMaxAggregatorTests
{
    /// <summary>With noise far below the vote margins, GNMax returns the plurality of every query and spends λ/σ² per query.</summary>
    [Fact]
    public void Small_noise_returns_the_plurality_and_costs_one_gnmax_per_query()
    {
        var votes = new double[] { 90, 5, 5, 2, 97, 1, 0, 0, 100 };
        var labels = new GnMaxAggregator(new PateSettings(Sigma: 1), GaussianNoise.Seeded(3)).Answer(votes, 3, [2.0]);
        Assert.Equal([0, 1, 2], labels.Labels);
        Assert.Equal(3 * 2.0 / 1.0, labels.DataIndependent.Rdp[0], 12);
    }

    /// <summary>Confident-GNMax declines queries whose top count is far under the threshold and pays the check for all of them.</summary>
    [Fact]
    public void Confident_gnmax_answers_only_confident_queries()
    {
        var votes = new double[] { 95, 5, 40, 60, 100, 0, 50, 50 };
        var settings = new PateSettings(Sigma: 1, Threshold: 80, ThresholdSigma: 2);
        var labels = new GnMaxAggregator(settings, GaussianNoise.Seeded(5)).Answer(votes, 2, [4.0]);
        Assert.Equal([0, -1, 0, -1], labels.Labels);
        Assert.Equal(2, labels.Answered);
        Assert.Equal([0, 2], labels.AnsweredIndices());
        Assert.Equal(4 * 4.0 / (2 * 4.0) + 2 * 4.0 / 1.0, labels.DataIndependent.Rdp[0], 12);
        Assert.Equal(settings.WorstCase(4, [4.0]).Rdp[0] - 2 * 4.0, labels.DataIndependent.Rdp[0], 12);
    }

    /// <summary>With large noise on a 60/40 split the minority wins about as often as P[N(0, 2σ²) ≥ 20] predicts.</summary>
    [Fact]
    public void Noisy_argmax_flips_at_the_gaussian_rate()
    {
        const int queries = 20_000;
        const double sigma = 20;
        var votes = new double[2 * queries];
        for (var q = 0; q < queries; q++) (votes[2 * q], votes[2 * q + 1]) = (60, 40);
        var labels = new GnMaxAggregator(new PateSettings(sigma), GaussianNoise.Seeded(11)).Answer(votes, 2, [2.0]);
        var flipped = labels.Labels.Count(label => label == 1) / (double)queries;
        var expected = Math.Exp(GaussianTail.LogSurvival(20 / (Math.Sqrt(2) * sigma)));
        Assert.InRange(flipped, expected - 0.012, expected + 0.012);
    }

    /// <summary>The same seed gives the same labels; the secure source is flagged as such.</summary>
    [Fact]
    public void Seeded_noise_is_reproducible_and_secure_noise_is_marked()
    {
        var votes = Enumerable.Range(0, 300).Select(i => (double)(i % 7)).ToArray();
        var settings = new PateSettings(Sigma: 3);
        Assert.Equal(new GnMaxAggregator(settings, GaussianNoise.Seeded(9)).Answer(votes, 3).Labels, new GnMaxAggregator(settings, GaussianNoise.Seeded(9)).Answer(votes, 3).Labels);
        Assert.True(GaussianNoise.Secure().IsSecure);
        Assert.False(GaussianNoise.Seeded(1).IsSecure);
    }

    /// <summary>Bad settings and vote matrices are refused with the property named.</summary>
    [Fact]
    public void Bad_settings_and_votes_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new GnMaxAggregator(new PateSettings(Sigma: 0), GaussianNoise.Seeded(1)));
        Assert.Contains("PateSettings.Sigma", error.Message);
        var aggregator = new GnMaxAggregator(new PateSettings(Sigma: 1), GaussianNoise.Seeded(1));
        Assert.Throws<ArgumentException>(() => aggregator.Answer(new double[] { 1, 2, 3 }, 2));
        Assert.Throws<ArgumentException>(() => aggregator.Answer(new double[] { 1, -2 }, 2));
    }
}
