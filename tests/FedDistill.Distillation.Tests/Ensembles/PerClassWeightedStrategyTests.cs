using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class PerClassWeightedStrategyTests
{
    private static TeacherContribution Teacher(string id, double[] probabilities, double[] perClassWeights) =>
        new(id, LogitsOf(probabilities)) { PerClassWeights = perClassWeights };

    [Fact]
    public void A_teacher_with_zero_weight_on_a_class_has_no_say_in_that_column()
    {
        using var scope = torch.NewDisposeScope();
        // Teacher a never saw class 2 yet is sure of it; b is trusted everywhere.
        var ensemble = Ensemble(new PerClassWeightedStrategy(),
            Teacher("a", [0.1, 0.1, 0.8], [1, 1, 0]),
            Teacher("b", [0.5, 0.3, 0.2], [1, 1, 1]));

        // Columns: (0.1 + 0.5) / 2 = 0.3, (0.1 + 0.3) / 2 = 0.2, b alone = 0.2; rows renormalized by 0.7.
        AssertClose([[3.0 / 7, 2.0 / 7, 2.0 / 7]], Distribution(ensemble));
    }

    [Fact]
    public void Trust_is_normalized_over_teachers_within_each_class()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new PerClassWeightedStrategy(),
            Teacher("a", [0.1, 0.1, 0.8], [3, 1, 1]),
            Teacher("b", [0.5, 0.3, 0.2], [1, 1, 1]));

        // Column 0: (3 · 0.1 + 1 · 0.5) / 4 = 0.2; column 1: 0.2; column 2: 0.5; renormalized by 0.9.
        AssertClose([[2.0 / 9, 2.0 / 9, 5.0 / 9]], Distribution(ensemble));
    }

    [Fact]
    public void A_class_no_teacher_is_trusted_on_falls_back_to_the_plain_mean()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new PerClassWeightedStrategy(),
            Teacher("a", [0.1, 0.1, 0.8], [1, 1, 0]),
            Teacher("b", [0.5, 0.3, 0.2], [1, 1, 0]));

        // Column 2: (0.8 + 0.2) / 2 = 0.5; with 0.3 and 0.2 the row already sums to 1.
        AssertClose([[0.3, 0.2, 0.5]], Distribution(ensemble));
    }

    [Fact]
    public void Equal_trust_everywhere_gives_the_mean_of_probabilities()
    {
        using var scope = torch.NewDisposeScope();
        var first = RandomLogits(6, 4, seed: 1);
        var second = RandomLogits(6, 4, seed: 2);

        var perClass = Ensemble(new PerClassWeightedStrategy(2.0),
            new TeacherContribution("a", first) { PerClassWeights = [2, 2, 2, 2] },
            new TeacherContribution("b", second) { PerClassWeights = [2, 2, 2, 2] });
        var mean = Ensemble(new MeanProbabilitiesStrategy(2.0), new TeacherContribution("a", first), new TeacherContribution("b", second));

        AssertClose(mean, perClass, 1e-4);
    }

    [Fact]
    public void A_teacher_without_per_class_weights_is_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new PerClassWeightedStrategy().Begin(1, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new TeacherContribution("blank", LogitsOf([0.2, 0.3, 0.5]))));

        Assert.Contains("'blank' has no PerClassWeights", error.Message);
    }

    [Fact]
    public void Per_class_weights_of_the_wrong_length_are_rejected_by_name()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new PerClassWeightedStrategy().Begin(1, 3);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("short", [0.2, 0.3, 0.5], [1, 1])));

        Assert.Contains("'short' has 2 per-class weights", error.Message);
        Assert.Equal(0, accumulator.TeacherCount);
    }
}
