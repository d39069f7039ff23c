using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class MeanProbabilitiesStrategyTests
{
    [Fact]
    public void The_ensemble_distribution_is_the_average_of_the_teachers_distributions()
    {
        using var scope = torch.NewDisposeScope();
        var first = LogitsOf([0.7, 0.2, 0.1]);
        var second = LogitsOf([0.1, 0.6, 0.3]);

        var ensemble = Ensemble(new MeanProbabilitiesStrategy(), Teacher("a", first), Teacher("b", second));

        // At T = 1 the logits are log q, so softmax gives back q = ((0.7+0.1)/2, (0.2+0.6)/2, (0.1+0.3)/2).
        AssertClose([[Math.Log(0.4), Math.Log(0.4), Math.Log(0.2)]], ensemble);
        AssertClose([[0.4, 0.4, 0.2]], Distribution(ensemble));
    }

    [Fact]
    public void A_loss_at_the_ensemble_temperature_recovers_the_average_of_the_softened_teachers()
    {
        using var scope = torch.NewDisposeScope();
        double[] first = [4, 1, -2];
        double[] second = [-1, 3, 0];
        const double temperature = 2.5;

        var ensemble = Ensemble(new MeanProbabilitiesStrategy(temperature), Teacher("a", Matrix(first)), Teacher("b", Matrix(second)));

        var softenedFirst = Softmax(first, temperature);
        var softenedSecond = Softmax(second, temperature);
        var expected = softenedFirst.Zip(softenedSecond, (p, q) => (p + q) / 2).ToArray();
        AssertClose([expected], Distribution(ensemble, temperature));
        AssertClose([expected.Select(p => temperature * Math.Log(p)).ToArray()], ensemble, 1e-4);
    }

    [Fact]
    public void One_overconfident_teacher_cannot_take_more_than_its_share_of_the_probability()
    {
        using var scope = torch.NewDisposeScope();
        var honest = Matrix([0, 2, -200]);
        var overconfident = Matrix([300, 0, -300]);

        var ensemble = Ensemble(new MeanProbabilitiesStrategy(), Teacher("honest", honest), Teacher("overconfident", overconfident));

        // The overconfident teacher puts all its mass on class 0 but owns only half the ensemble;
        // the mean of logits would give class 0 all of it.
        var honestDistribution = Softmax([0, 2, -200]);
        var distribution = Distribution(ensemble)[0];
        AssertClose([[0.5 + honestDistribution[0] / 2, honestDistribution[1] / 2, 0]], [distribution]);
        Assert.Equal(1.0, Distribution(Ensemble(new MeanLogitsStrategy(), Teacher("honest", honest), Teacher("overconfident", overconfident)))[0][0], 6);
    }

    [Fact]
    public void A_class_every_teacher_rules_out_gets_a_finite_logit()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new MeanProbabilitiesStrategy(), Teacher("a", Matrix([0, 2, -200])), Teacher("b", Matrix([300, 0, -300])));

        // Both probabilities of class 2 underflow to 0 in float32; the floor 1e-30 keeps log q finite.
        Assert.All(ensemble[0], logit => Assert.True(double.IsFinite(logit)));
        Assert.Equal(Math.Log(1e-30), ensemble[0][2], tolerance: 1e-3);
    }
}
