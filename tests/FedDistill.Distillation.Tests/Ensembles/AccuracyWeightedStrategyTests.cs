using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class AccuracyWeightedStrategyTests
{
    private static readonly double[][] First = [[1, 2, 3], [0, -1, 4]];
    private static readonly double[][] Second = [[3, 0, -1], [2, 1, 0]];

    private static TeacherContribution Teacher(string id, double[][] logits, double accuracy) =>
        new(id, Matrix(logits)) { ValidationAccuracy = accuracy };

    [Fact]
    public void Equally_accurate_teachers_give_the_mean_of_logits()
    {
        using var scope = torch.NewDisposeScope();

        var weighted = Ensemble(new AccuracyWeightedStrategy(), Teacher("a", First, 0.7), Teacher("b", Second, 0.7));
        var mean = Ensemble(new MeanLogitsStrategy(), Teacher("a", First, 0.7), Teacher("b", Second, 0.7));

        AssertClose(mean, weighted);
    }

    [Fact]
    public void Weights_are_proportional_to_accuracy()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new AccuracyWeightedStrategy().Begin(2, 3);
        accumulator.Add(Teacher("a", First, 0.9));
        accumulator.Add(Teacher("b", Second, 0.3));

        var ensemble = Rows(accumulator.Finish());

        // 0.9 : 0.3 = 0.75 : 0.25; 0.75 · [1, 2, 3] + 0.25 · [3, 0, -1] = [1.5, 1.5, 2].
        Assert.Equal(0.75, accumulator.TeacherWeights!["a"], 12);
        Assert.Equal(0.25, accumulator.TeacherWeights!["b"], 12);
        AssertClose([[1.5, 1.5, 2], [0.5, -0.5, 3]], ensemble);
    }

    [Fact]
    public void A_larger_exponent_hands_more_weight_to_the_more_accurate_teacher()
    {
        using var scope = torch.NewDisposeScope();
        using var squared = new AccuracyWeightedStrategy(accuracyExponent: 2.0).Begin(2, 3);
        using var ignored = new AccuracyWeightedStrategy(accuracyExponent: 0.0).Begin(2, 3);
        foreach (var accumulator in new[] { squared, ignored })
        {
            accumulator.Add(Teacher("a", First, 0.9));
            accumulator.Add(Teacher("b", Second, 0.3));
        }

        // 0.81 : 0.09 = 0.9 : 0.1; with γ = 0 accuracy is ignored.
        Assert.Equal(0.9, squared.TeacherWeights!["a"], 12);
        Assert.Equal(0.5, ignored.TeacherWeights!["a"], 12);
    }

    [Fact]
    public void A_teacher_without_a_validation_accuracy_is_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new AccuracyWeightedStrategy().Begin(2, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new TeacherContribution("unvalidated", Matrix(First))));

        Assert.Contains("'unvalidated' has no ValidationAccuracy", error.Message);
        Assert.Equal(0, accumulator.TeacherCount);
    }

    [Fact]
    public void An_accuracy_outside_zero_to_one_is_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new AccuracyWeightedStrategy().Begin(2, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("percent", First, 87.0)));

        Assert.Contains("'percent' has validation accuracy 87", error.Message);
    }
}
