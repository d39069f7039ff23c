using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class FixedWeightsStrategyTests
{
    private static readonly double[][] First = [[1, 2, 3], [0, -1, 4]];
    private static readonly double[][] Second = [[3, 0, -1], [2, 1, 0]];

    [Fact]
    public void Weights_one_and_zero_give_the_first_teacher()
    {
        using var scope = torch.NewDisposeScope();
        var strategy = new FixedWeightsStrategy(new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 0.0 });

        var ensemble = Ensemble(strategy, new TeacherContribution("a", Matrix(First)), new TeacherContribution("b", Matrix(Second)));

        AssertClose(First, ensemble);
    }

    [Fact]
    public void Weights_are_normalized_so_one_and_three_mix_a_quarter_and_three_quarters()
    {
        using var scope = torch.NewDisposeScope();
        var strategy = new FixedWeightsStrategy(new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 3.0 });
        using var accumulator = strategy.Begin(2, 3);
        accumulator.Add(new TeacherContribution("a", Matrix(First)));
        accumulator.Add(new TeacherContribution("b", Matrix(Second)));

        var ensemble = Rows(accumulator.Finish());

        // 0.25 · [1, 2, 3] + 0.75 · [3, 0, -1] = [2.5, 0.5, 0]; 0.25 · [0, -1, 4] + 0.75 · [2, 1, 0] = [1.5, 0.5, 1].
        AssertClose([[2.5, 0.5, 0], [1.5, 0.5, 1]], ensemble);
        Assert.Equal(0.25, accumulator.TeacherWeights!["a"], 12);
        Assert.Equal(0.75, accumulator.TeacherWeights!["b"], 12);
        Assert.Equal(1.0, accumulator.TeacherWeights!.Values.Sum(), 12);
    }

    [Fact]
    public void A_contributions_own_weight_takes_precedence_over_the_configured_one()
    {
        using var scope = torch.NewDisposeScope();
        var strategy = new FixedWeightsStrategy(new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 1.0 });

        var ensemble = Ensemble(strategy, new TeacherContribution("a", Matrix(First)) { Weight = 0.0 }, new TeacherContribution("b", Matrix(Second)));

        AssertClose(Second, ensemble);
    }

    [Fact]
    public void A_teacher_without_a_weight_is_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new FixedWeightsStrategy(new Dictionary<string, double> { ["a"] = 1.0 }).Begin(2, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new TeacherContribution("stranger", Matrix(First))));

        Assert.Contains("'stranger' has no weight", error.Message);
        Assert.Contains("configured: a", error.Message);
        Assert.Equal(0, accumulator.TeacherCount);
    }

    [Fact]
    public void A_negative_weight_is_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new FixedWeightsStrategy().Begin(2, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new TeacherContribution("negative", Matrix(First)) { Weight = -1.0 }));

        Assert.Contains("'negative' has weight -1", error.Message);
    }

    [Fact]
    public void Finishing_when_every_weight_is_zero_is_an_error()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new FixedWeightsStrategy().Begin(2, 3);
        accumulator.Add(new TeacherContribution("a", Matrix(First)) { Weight = 0.0 });

        var error = Assert.Throws<InvalidOperationException>(() => accumulator.Finish());

        Assert.Contains("weight is zero", error.Message);
    }
}
