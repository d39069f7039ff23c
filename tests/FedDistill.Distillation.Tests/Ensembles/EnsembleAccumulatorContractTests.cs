using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static TorchSharp.torch;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

/// <summary>What every strategy's accumulator promises, checked for each registered name.</summary>
public sealed class EnsembleAccumulatorContractTests
{
    public static TheoryData<string> Names => new(EnsembleStrategyFactory.AllowedNames);

    // pate-gnmax's noise is set far below one vote (and seeded), so that its answers are the plurality the contract expects.
    private static IEnsembleStrategy Create(string name) => EnsembleStrategyFactory.Create(name, new EnsembleOptions { Temperature = 2.0, NoiseSigma = 1e-3, NoiseSeed = 1 });

    [Theory]
    [MemberData(nameof(Names))]
    public void A_single_teacher_ensemble_predicts_that_teachers_classes(string name)
    {
        using var scope = torch.NewDisposeScope();
        var logits = RandomLogits(64, 10, seed: 11);

        var ensemble = Ensemble(Create(name), Teacher("only", logits));

        var expected = Rows(logits).Select(ArgMax);
        Assert.Equal(expected, ensemble.Select(ArgMax));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Memory_is_constant_in_the_number_of_teachers_unless_the_strategy_retains_them(string name)
    {
        using var scope = torch.NewDisposeScope();
        var strategy = Create(name);
        using var accumulator = strategy.Begin(32, 10);

        accumulator.Add(Teacher("teacher-0", RandomLogits(32, 10, seed: 0)));
        var afterOne = accumulator.RetainedBytes;
        for (var k = 1; k < 20; k++) accumulator.Add(Teacher($"teacher-{k}", RandomLogits(32, 10, seed: k)));
        var afterTwenty = accumulator.RetainedBytes;

        Assert.True(afterOne > 0);
        Assert.Equal(strategy.RetainsEveryTeacher ? 20 * afterOne : afterOne, afterTwenty);
        accumulator.Finish().Dispose();
        Assert.Equal(0, accumulator.RetainedBytes);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Logits_of_the_wrong_shape_are_rejected_naming_the_teacher_and_change_nothing(string name)
    {
        using var scope = torch.NewDisposeScope();
        var good = RandomLogits(8, 4, seed: 1);
        using var accumulator = Create(name).Begin(8, 4);
        accumulator.Add(Teacher("good", good));

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("misshapen", RandomLogits(8, 5, seed: 2))));

        Assert.Contains("'misshapen'", error.Message);
        Assert.Contains("[8, 5]", error.Message);
        Assert.Contains("[8, 4]", error.Message);
        Assert.Equal(1, accumulator.TeacherCount);
        AssertClose(Ensemble(Create(name), Teacher("good", good)), Rows(accumulator.Finish()));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Non_finite_logits_are_rejected_naming_the_teacher_and_change_nothing(string name)
    {
        using var scope = torch.NewDisposeScope();
        var good = RandomLogits(3, 4, seed: 1);
        using var accumulator = Create(name).Begin(3, 4);
        accumulator.Add(Teacher("good", good));
        var bytes = accumulator.RetainedBytes;

        var withNan = Matrix([0, 1, double.NaN, 2], [0, 1, 2, 3], [double.NaN, 0, 0, 0]);
        var withInfinity = Matrix([0, 1, 2, 3], [double.NegativeInfinity, 1, 2, 3], [0, 0, 0, double.PositiveInfinity]);
        var nanError = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("broken", withNan)));
        var infinityError = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("overflowed", withInfinity)));

        Assert.Contains("'broken' sent 2 NaN and 0 infinite", nanError.Message);
        Assert.Contains("'overflowed' sent 0 NaN and 2 infinite", infinityError.Message);
        Assert.Equal(1, accumulator.TeacherCount);
        Assert.Equal(bytes, accumulator.RetainedBytes);
        AssertClose(Ensemble(Create(name), Teacher("good", good)), Rows(accumulator.Finish()));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_teacher_cannot_contribute_twice(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = Create(name).Begin(2, 3);
        accumulator.Add(Teacher("twice", RandomLogits(2, 3, seed: 1)));

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(Teacher("twice", RandomLogits(2, 3, seed: 2))));

        Assert.Contains("'twice' has already contributed", error.Message);
        Assert.Equal(1, accumulator.TeacherCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Finishing_without_teachers_is_an_error(string name)
    {
        using var accumulator = Create(name).Begin(2, 3);

        var error = Assert.Throws<InvalidOperationException>(() => accumulator.Finish());

        Assert.Contains("No teacher", error.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_accumulator_accepts_nothing_after_it_finishes(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = Create(name).Begin(2, 3);
        accumulator.Add(Teacher("first", RandomLogits(2, 3, seed: 1)));
        accumulator.Finish();

        Assert.Throws<InvalidOperationException>(() => accumulator.Add(Teacher("late", RandomLogits(2, 3, seed: 2))));
        Assert.Throws<InvalidOperationException>(() => accumulator.Finish());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_callers_logits_are_copied_not_kept_or_freed(string name)
    {
        using var scope = torch.NewDisposeScope();
        var first = RandomLogits(4, 3, seed: 1);
        var second = RandomLogits(4, 3, seed: 2);
        var expected = Ensemble(Create(name), Teacher("a", first.clone()), Teacher("b", second.clone()));
        using var accumulator = Create(name).Begin(4, 3);

        accumulator.Add(Teacher("a", first));
        accumulator.Add(Teacher("b", second));
        // The caller reuses its buffers for the next batch before the ensemble is finished.
        first.zero_();
        second.zero_();
        var actual = Rows(accumulator.Finish());
        accumulator.Dispose();

        AssertClose(expected, actual);
        Assert.False(first.IsInvalid);
        Assert.False(second.IsInvalid);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_ensemble_is_float32_logits_owned_by_the_open_dispose_scope(string name)
    {
        var logits = RandomLogits(5, 3, seed: 3);
        using var accumulator = Create(name).Begin(5, 3);
        accumulator.Add(Teacher("a", logits));
        Tensor result;

        using (torch.NewDisposeScope())
        {
            result = accumulator.Finish();
            Assert.Equal([5L, 3L], result.shape);
            Assert.Equal(ScalarType.Float32, result.dtype);
            Assert.False(result.requires_grad);
            Assert.Equal(15L, result.isfinite().sum().item<long>());
        }

        Assert.True(result.IsInvalid);
        logits.Dispose();
    }

    [Fact]
    public void Teachers_logits_that_require_gradients_give_an_ensemble_outside_the_graph()
    {
        using var scope = torch.NewDisposeScope();
        var logits = RandomLogits(4, 3, seed: 5);
        logits.requires_grad = true;
        using var accumulator = new MeanLogitsStrategy().Begin(4, 3);

        accumulator.Add(Teacher("a", logits * 2.0));

        Assert.False(accumulator.Finish().requires_grad);
    }
}
