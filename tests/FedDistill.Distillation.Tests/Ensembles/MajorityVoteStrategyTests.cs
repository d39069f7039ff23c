using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class MajorityVoteStrategyTests
{
    [Fact]
    public void The_class_two_of_three_teachers_vote_for_wins_over_one_confident_dissenter()
    {
        using var scope = torch.NewDisposeScope();
        double[] lukewarm = [0.3, 0.4, 0.3];
        double[] dissenter = [0.98, 0.01, 0.01];

        var ensemble = Ensemble(new MajorityVoteStrategy(voteSmoothing: 0.1),
            Teacher("a", LogitsOf(lukewarm)), Teacher("b", LogitsOf(lukewarm)), Teacher("c", LogitsOf(dissenter)));

        // Votes (1, 2, 0), mean probability p̄ = (0.52667, 0.27, 0.20333): q = (votes + 0.1 p̄) / 3.1.
        var meanProbability = new[] { (0.3 + 0.3 + 0.98) / 3, (0.4 + 0.4 + 0.01) / 3, (0.3 + 0.3 + 0.01) / 3 };
        double[] votes = [1, 2, 0];
        var expected = votes.Zip(meanProbability, (v, p) => (v + 0.1 * p) / 3.1).ToArray();
        var distribution = Distribution(ensemble);
        AssertClose([expected], distribution);
        Assert.Equal(1, ArgMax(distribution[0]));
        Assert.Equal(0, ArgMax(Distribution(Ensemble(new MeanProbabilitiesStrategy(),
            Teacher("a", LogitsOf(lukewarm)), Teacher("b", LogitsOf(lukewarm)), Teacher("c", LogitsOf(dissenter))))[0]));
    }

    [Fact]
    public void A_tied_vote_goes_to_the_class_with_the_higher_mean_probability()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new MajorityVoteStrategy(),
            Teacher("a", LogitsOf([0.6, 0.3, 0.1])), Teacher("b", LogitsOf([0.2, 0.45, 0.35])));

        // One vote each for classes 0 and 1; p̄ = (0.4, 0.375, 0.225) favours class 0.
        Assert.Equal(0, ArgMax(Distribution(ensemble)[0]));
    }

    [Fact]
    public void Smoothing_below_one_vote_never_overturns_a_majority()
    {
        using var scope = torch.NewDisposeScope();

        // Two teachers barely prefer class 1; three are certain of different other classes.
        var ensemble = Ensemble(new MajorityVoteStrategy(voteSmoothing: 0.99),
            Teacher("a", Matrix([0, 0.01, 0, 0])), Teacher("b", Matrix([0, 0.01, 0, 0])),
            Teacher("c", Matrix([50, 0, 0, 0])), Teacher("d", Matrix([0, 0, 50, 0])), Teacher("e", Matrix([0, 0, 0, 50])));

        Assert.Equal(1, ArgMax(Distribution(ensemble)[0]));
    }
}
