using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class MedianStrategyTests
{
    [Fact]
    public void Each_coordinate_is_the_middle_teachers_value()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new MedianStrategy(),
            Teacher("a", Matrix([1, 9])), Teacher("b", Matrix([5, -2])), Teacher("c", Matrix([3, 4])));

        AssertClose([[3, 4]], ensemble);
    }

    [Fact]
    public void With_an_even_number_of_teachers_it_averages_the_two_middle_values()
    {
        using var scope = torch.NewDisposeScope();

        var ensemble = Ensemble(new MedianStrategy(),
            Teacher("a", Matrix([1, 0])), Teacher("b", Matrix([2, 0])), Teacher("c", Matrix([10, 1])), Teacher("d", Matrix([20, 1])));

        AssertClose([[6, 0.5]], ensemble);
    }

    [Fact]
    public void One_wildly_wrong_teacher_barely_moves_the_median()
    {
        using var scope = torch.NewDisposeScope();
        var (honest, corrupted) = RobustnessTeachers.Create();

        var median = Ensemble(new MedianStrategy(), [.. honest, corrupted]);
        var mean = Ensemble(new MeanLogitsStrategy(), [.. honest, corrupted]);

        AssertClose(RobustnessTeachers.Truth, median, 0.1 + 1e-5);
        Assert.True(Math.Abs(mean[0][0] - RobustnessTeachers.Truth[0][0]) > 100, "the mean is dragged off by the corrupted teacher");
    }
}
