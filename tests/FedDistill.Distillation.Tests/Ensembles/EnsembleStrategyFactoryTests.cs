using FedDistill.Distillation.Ensembles;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class EnsembleStrategyFactoryTests
{
    public static TheoryData<string, Type> Registrations => new()
    {
        { "mean-logits", typeof(MeanLogitsStrategy) },
        { "mean-probabilities", typeof(MeanProbabilitiesStrategy) },
        { "fixed-weights", typeof(FixedWeightsStrategy) },
        { "accuracy-weighted", typeof(AccuracyWeightedStrategy) },
        { "per-class-weighted", typeof(PerClassWeightedStrategy) },
        { "entropy-weighted", typeof(EntropyWeightedStrategy) },
        { "ds-fl", typeof(DsFlStrategy) },
        { "majority-vote", typeof(MajorityVoteStrategy) },
        { "median", typeof(MedianStrategy) },
        { "trimmed-mean", typeof(TrimmedMeanStrategy) },
        { "pate-gnmax", typeof(PateGnMaxStrategy) },
    };

    [Theory]
    [MemberData(nameof(Registrations))]
    public void Every_name_creates_its_strategy(string name, Type expected)
    {
        var strategy = EnsembleStrategyFactory.Create(name);

        Assert.IsType(expected, strategy);
        Assert.Equal(name, strategy.Name);
    }

    [Fact]
    public void The_allowed_names_are_exactly_the_registered_strategies()
    {
        Assert.Equal(Registrations.Select(row => (string)row[0]).Order(), EnsembleStrategyFactory.AllowedNames.Order());
    }

    [Fact]
    public void Names_are_matched_ignoring_case_and_surrounding_spaces()
    {
        Assert.IsType<DsFlStrategy>(EnsembleStrategyFactory.Create("  DS-FL "));
    }

    [Fact]
    public void An_unknown_name_is_rejected_with_every_allowed_name_listed()
    {
        var error = Assert.Throws<ArgumentException>(() => EnsembleStrategyFactory.Create("geometric-mean"));

        Assert.Contains("'geometric-mean'", error.Message);
        Assert.All(EnsembleStrategyFactory.AllowedNames, name => Assert.Contains(name, error.Message));
    }

    [Fact]
    public void Options_reach_the_strategies_that_read_them()
    {
        var options = new EnsembleOptions
        {
            Temperature = 3.0,
            SharpeningTemperature = 0.5,
            TrimFraction = 0.3,
            AccuracyExponent = 2.0,
            VoteSmoothing = 0.25,
            FixedWeights = new Dictionary<string, double> { ["a"] = 2.0 },
        };

        Assert.Equal(3.0, Assert.IsType<MeanProbabilitiesStrategy>(EnsembleStrategyFactory.Create("mean-probabilities", options)).Temperature);
        var dsFl = Assert.IsType<DsFlStrategy>(EnsembleStrategyFactory.Create("ds-fl", options));
        Assert.Equal((3.0, 0.5), (dsFl.Temperature, dsFl.SharpeningTemperature));
        Assert.Equal(0.3, Assert.IsType<TrimmedMeanStrategy>(EnsembleStrategyFactory.Create("trimmed-mean", options)).TrimFraction);
        Assert.Equal(2.0, Assert.IsType<AccuracyWeightedStrategy>(EnsembleStrategyFactory.Create("accuracy-weighted", options)).AccuracyExponent);
        Assert.Equal(0.25, Assert.IsType<MajorityVoteStrategy>(EnsembleStrategyFactory.Create("majority-vote", options)).VoteSmoothing);
        Assert.Equal(2.0, Assert.IsType<FixedWeightsStrategy>(EnsembleStrategyFactory.Create("fixed-weights", options)).Weights["a"]);
    }

    [Fact]
    public void The_options_name_selects_the_strategy()
    {
        Assert.IsType<MedianStrategy>(EnsembleStrategyFactory.Create(new EnsembleOptions { Name = "median" }));
    }

    [Fact]
    public void Invalid_settings_are_rejected_naming_each_property()
    {
        var options = new EnsembleOptions
        {
            Temperature = 0.0,
            SharpeningTemperature = double.NaN,
            TrimFraction = 0.5,
            AccuracyExponent = -1.0,
            VoteSmoothing = 1.0,
            FixedWeights = new Dictionary<string, double> { ["a"] = -2.0 },
        };

        var error = Assert.Throws<ArgumentException>(() => EnsembleStrategyFactory.Create("mean-logits", options));

        Assert.Contains("EnsembleOptions.Temperature", error.Message);
        Assert.Contains("EnsembleOptions.SharpeningTemperature", error.Message);
        Assert.Contains("EnsembleOptions.TrimFraction", error.Message);
        Assert.Contains("EnsembleOptions.AccuracyExponent", error.Message);
        Assert.Contains("EnsembleOptions.VoteSmoothing", error.Message);
        Assert.Contains("EnsembleOptions.FixedWeights['a']", error.Message);
    }

    [Fact]
    public void Default_options_are_valid()
    {
        Assert.Empty(new EnsembleOptions().Validate());
    }
}
