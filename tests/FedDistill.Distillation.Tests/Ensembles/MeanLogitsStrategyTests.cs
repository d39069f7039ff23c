using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class MeanLogitsStrategyTests
{
    [Fact]
    public void The_ensemble_of_two_teachers_is_the_average_of_their_logits()
    {
        using var scope = torch.NewDisposeScope();
        var first = Matrix([1, 2, 3], [0, -1, 4]);
        var second = Matrix([3, 0, -1], [2, 1, 0]);

        var ensemble = Ensemble(new MeanLogitsStrategy(), Teacher("a", first), Teacher("b", second));

        AssertClose([[2, 1, 1], [1, 0, 2]], ensemble);
    }

    [Fact]
    public void Every_teacher_gets_an_equal_share_that_sums_to_one()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = new MeanLogitsStrategy().Begin(2, 3);
        foreach (var id in new[] { "a", "b", "c", "d" }) accumulator.Add(Teacher(id, RandomLogits(2, 3, seed: id[0])));

        var weights = accumulator.TeacherWeights!;

        Assert.Equal(4, weights.Count);
        Assert.All(weights.Values, weight => Assert.Equal(0.25, weight, 12));
    }
}
