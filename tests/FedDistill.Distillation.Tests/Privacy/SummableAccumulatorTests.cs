using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Privacy.SecureSummation;
using TorchSharp;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Privacy;

/// <summary>A summable strategy gives the same ensemble when organizations export sums of their own teachers and one accumulator imports the total.</summary>
public sealed class SummableAccumulatorTests
{
    public static TheoryData<string> SummableNames => new(SummableStrategies.Names);

    private static IEnsembleStrategy Create(string name) => EnsembleStrategyFactory.Create(name, new EnsembleOptions { Temperature = 2.0 });

    /// <summary>Five teachers at three organizations (2, 1, 2), with different weights, accuracies and per-class weights: summed exports finish to the ensemble of all five.</summary>
    [Theory]
    [MemberData(nameof(SummableNames))]
    public void Ensemble_from_summed_exports_equals_the_ensemble_of_every_teacher(string name)
    {
        using var scope = torch.NewDisposeScope();
        var random = new Random(4);
        var teachers = Enumerable.Range(0, 5).Select(k => new TeacherContribution($"teacher-{k}", RandomLogits(40, 6, seed: 20 + k))
        {
            Weight = 0.5 + k,
            ValidationAccuracy = 0.5 + 0.1 * k,
            PerClassWeights = Enumerable.Range(0, 6).Select(_ => random.NextDouble()).ToArray(),
        }).ToArray();
        var expected = Ensemble(Create(name), teachers);

        var strategy = SummableStrategies.Require(Create(name));
        var total = new double[strategy.BeginSummable(40, 6).SumLength];
        foreach (var organization in new[] { teachers[..2], teachers[2..3], teachers[3..] })
        {
            using var local = strategy.BeginSummable(40, 6);
            foreach (var teacher in organization) local.Add(teacher);
            var sums = local.ExportSums();
            for (var i = 0; i < sums.Length; i++) total[i] += sums[i];
        }
        using var aggregate = strategy.BeginSummable(40, 6);
        aggregate.ImportSums(total);
        Assert.Equal(5, aggregate.TeacherCount);
        using var result = aggregate.Finish();
        var actual = Rows(result);

        for (var n = 0; n < expected.Length; n++)
            for (var c = 0; c < expected[n].Length; c++)
                Assert.True(Math.Abs(expected[n][c] - actual[n][c]) < 1e-4, $"{name} [{n}, {c}]: from sums {actual[n][c]}, direct {expected[n][c]}.");
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    public void Order_statistic_strategies_are_refused_saying_they_are_not_sums(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SummableStrategies.Require(Create(name)));
        Assert.Contains($"'{name}' cannot run under secure summation", error.Message);
        Assert.Contains("order statistic", error.Message);
        Assert.Contains("mean-logits", error.Message);
    }

    [Fact]
    public void The_strategies_that_are_sums_are_all_but_the_order_statistics_and_pate()
    {
        // pate-gnmax releases noisy vote arg-maxes from its own accumulator, which folds no sums yet.
        Assert.Equal(EnsembleStrategyFactory.AllowedNames.Except(["median", "trimmed-mean", "pate-gnmax"]), SummableStrategies.Names);
        var error = Assert.Throws<ArgumentException>(() => SummableStrategies.Require(Create("pate-gnmax")));
        Assert.Contains("does not fold teachers into sums", error.Message);
    }

    [Fact]
    public void Sums_of_the_wrong_length_are_refused_and_change_nothing()
    {
        using var accumulator = SummableStrategies.Require(Create("mean-logits")).BeginSummable(4, 3);
        var error = Assert.Throws<ArgumentException>(() => accumulator.ImportSums(new double[5]));
        Assert.Contains("needs 14", error.Message);
        Assert.Equal(0, accumulator.TeacherCount);
    }

    [Fact]
    public void Sums_are_not_imported_over_teachers_already_added()
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = SummableStrategies.Require(Create("majority-vote")).BeginSummable(4, 3);
        accumulator.Add(Teacher("teacher", RandomLogits(4, 3, seed: 1)));
        Assert.Throws<InvalidOperationException>(() => accumulator.ImportSums(new double[accumulator.SumLength]));
    }
}
