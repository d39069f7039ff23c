using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Privacy;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class PateGnMaxStrategyTests
{
    /// <summary>With negligible noise the target is the one-hot plurality of the teachers' argmax votes, and the cost is one GNMax per example.</summary>
    [Fact]
    public void The_target_is_the_one_hot_plurality_and_its_cost_is_recorded()
    {
        using var scope = torch.NewDisposeScope();
        var strategy = new PateGnMaxStrategy(new PateSettings(Sigma: 1e-3), temperature: 2.0, noiseSeed: 4);
        using var accumulator = (IPrivateEnsembleAccumulator)strategy.Begin(2, 3);
        accumulator.Add(Teacher("a", LogitsOf([0.2, 0.7, 0.1], [0.5, 0.3, 0.2])));
        accumulator.Add(Teacher("b", LogitsOf([0.3, 0.6, 0.1], [0.1, 0.1, 0.8])));
        accumulator.Add(Teacher("c", LogitsOf([0.9, 0.05, 0.05], [0.1, 0.2, 0.7])));
        Assert.Null(accumulator.Release);

        var distribution = Distribution(Rows(accumulator.Finish()), temperature: 2.0);

        AssertClose([[0, 1, 0], [0, 0, 1]], distribution);
        Assert.Equal([1, 2], accumulator.Release!.Labels);
        Assert.Equal(2 * 2.0 / (1e-3 * 1e-3), accumulator.Release.DataIndependent.Rdp[RenyiAccountant.DefaultOrders.ToList().IndexOf(2.0)], 1);
    }

    /// <summary>Confident-GNMax leaves a split example unanswered: a uniform row, and missing from the answered indices.</summary>
    [Fact]
    public void A_split_vote_under_the_threshold_is_left_unanswered_with_a_uniform_row()
    {
        using var scope = torch.NewDisposeScope();
        var options = new EnsembleOptions { Name = PateGnMaxStrategy.StrategyName, NoiseSigma = 1e-3, Threshold = 2.5, ThresholdSigma = 1e-3, NoiseSeed = 2 };
        using var accumulator = (IPrivateEnsembleAccumulator)EnsembleStrategyFactory.Create(options).Begin(2, 2);
        accumulator.Add(Teacher("a", LogitsOf([0.9, 0.1], [0.9, 0.1])));
        accumulator.Add(Teacher("b", LogitsOf([0.8, 0.2], [0.1, 0.9])));
        accumulator.Add(Teacher("c", LogitsOf([0.7, 0.3], [0.6, 0.4])));

        var distribution = Distribution(Rows(accumulator.Finish()));

        AssertClose([[1, 0], [0.5, 0.5]], distribution);
        Assert.Equal([0], accumulator.Release!.AnsweredIndices());
    }

    /// <summary>A bad noise setting is refused naming the option.</summary>
    [Fact]
    public void A_non_positive_noise_is_refused_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => EnsembleStrategyFactory.Create(new EnsembleOptions { Name = PateGnMaxStrategy.StrategyName, NoiseSigma = 0 }));
        Assert.Contains("EnsembleOptions.NoiseSigma", error.Message);
    }
}
