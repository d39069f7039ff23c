using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class TrimmedMeanStrategyTests
{
    [Fact]
    public void The_lowest_and_highest_teachers_are_dropped_per_coordinate_before_averaging()
    {
        using var scope = torch.NewDisposeScope();

        // Five teachers at β = 0.2: one dropped at each end, per coordinate independently.
        var ensemble = Ensemble(new TrimmedMeanStrategy(0.2),
            Teacher("a", Matrix([1, 50])), Teacher("b", Matrix([2, -7])), Teacher("c", Matrix([3, 1])),
            Teacher("d", Matrix([4, 2])), Teacher("e", Matrix([100, 3])));

        AssertClose([[3, 2]], ensemble);
    }

    [Fact]
    public void One_wildly_wrong_teacher_is_trimmed_away()
    {
        using var scope = torch.NewDisposeScope();
        var (honest, corrupted) = RobustnessTeachers.Create();

        var trimmed = Ensemble(new TrimmedMeanStrategy(0.25), [.. honest, corrupted]);

        AssertClose(RobustnessTeachers.Truth, trimmed, 0.1 + 1e-5);
    }

    [Fact]
    public void With_nothing_to_trim_it_is_the_plain_mean()
    {
        using var scope = torch.NewDisposeScope();
        var teachers = Enumerable.Range(0, 4).Select(k => Teacher($"t{k}", RandomLogits(3, 5, seed: k))).ToArray();

        // floor(0.2 · 4) = 0 teachers trimmed.
        AssertClose(Ensemble(new MeanLogitsStrategy(), teachers), Ensemble(new TrimmedMeanStrategy(0.2), teachers));
    }

    [Theory]
    [InlineData(0.2, 4, 0)]
    [InlineData(0.2, 5, 1)]
    [InlineData(0.3, 10, 3)]
    [InlineData(0.49, 3, 1)]
    [InlineData(0.0, 100, 0)]
    public void The_number_trimmed_per_side_is_the_floor_of_fraction_times_teachers(double fraction, int teachers, int expected)
    {
        Assert.Equal(expected, new TrimmedMeanStrategy(fraction).TrimmedPerSide(teachers));
    }
}
