using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class EntropyWeightedStrategyTests
{
    [Fact]
    public void The_confident_teacher_counts_more_than_the_uncertain_one()
    {
        using var scope = torch.NewDisposeScope();
        double[] confident = [0.9, 0.05, 0.05];
        double[] uncertain = [0.3, 0.4, 0.3];

        var ensemble = Ensemble(new EntropyWeightedStrategy(), Teacher("confident", LogitsOf(confident)), Teacher("uncertain", LogitsOf(uncertain)));

        var confidentWeight = Math.Exp(-Entropy(confident));
        var uncertainWeight = Math.Exp(-Entropy(uncertain));
        var expected = confident.Zip(uncertain, (p, q) => (confidentWeight * p + uncertainWeight * q) / (confidentWeight + uncertainWeight)).ToArray();
        var distribution = Distribution(ensemble);
        AssertClose([expected], distribution);
        Assert.True(distribution[0][0] > 0.6, "the plain mean would give class 0 probability 0.6");
    }

    [Fact]
    public void Teachers_of_equal_entropy_give_the_mean_of_probabilities()
    {
        using var scope = torch.NewDisposeScope();
        // A permutation of the same distribution has the same entropy.
        var first = LogitsOf([0.7, 0.2, 0.1], [0.25, 0.25, 0.5]);
        var second = LogitsOf([0.1, 0.2, 0.7], [0.5, 0.25, 0.25]);

        var ensemble = Ensemble(new EntropyWeightedStrategy(), Teacher("a", first), Teacher("b", second));

        AssertClose([[0.4, 0.2, 0.4], [0.375, 0.25, 0.375]], Distribution(ensemble));
    }

    [Fact]
    public void Weights_are_chosen_per_example()
    {
        using var scope = torch.NewDisposeScope();
        // Teacher a is sure on example 0 and guessing on example 1; b the other way round.
        var first = LogitsOf([0.98, 0.01, 0.01], [0.34, 0.33, 0.33]);
        var second = LogitsOf([0.33, 0.34, 0.33], [0.01, 0.01, 0.98]);

        var distribution = Distribution(Ensemble(new EntropyWeightedStrategy(), Teacher("a", first), Teacher("b", second)));

        Assert.True(distribution[0][0] > 0.98 / 2 + 0.33 / 2);
        Assert.True(distribution[1][2] > 0.98 / 2 + 0.33 / 2);
    }
}
