using FedDistill.Distillation.Privacy;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// Chooses an <see cref="IEnsembleStrategy"/> by name, so a configuration file can select how the
/// teachers are combined; a new strategy is one class plus one line in each list here.
/// </summary>
public static class EnsembleStrategyFactory
{
    /// <summary>The names <see cref="Create(string, EnsembleOptions?)"/> accepts.</summary>
    public static IReadOnlyList<string> AllowedNames { get; } = Array.AsReadOnly(
    [
        MeanLogitsStrategy.StrategyName,
        MeanProbabilitiesStrategy.StrategyName,
        FixedWeightsStrategy.StrategyName,
        AccuracyWeightedStrategy.StrategyName,
        PerClassWeightedStrategy.StrategyName,
        EntropyWeightedStrategy.StrategyName,
        DsFlStrategy.StrategyName,
        MajorityVoteStrategy.StrategyName,
        MedianStrategy.StrategyName,
        TrimmedMeanStrategy.StrategyName,
        PateGnMaxStrategy.StrategyName,
    ]);

    /// <summary>Creates the strategy that <paramref name="options"/> names, with its settings.</summary>
    /// <exception cref="ArgumentException">The name is unknown or a setting is invalid; the message names each offending property.</exception>
    public static IEnsembleStrategy Create(EnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.Name, options);
    }

    /// <summary>Creates the strategy called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">One of <see cref="AllowedNames"/>.</param>
    /// <param name="options">Settings for the strategy; defaults when <see langword="null"/>. Its <see cref="EnsembleOptions.Name"/> is ignored.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the allowed names) or a setting is invalid.</exception>
    public static IEnsembleStrategy Create(string name, EnsembleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = name.Trim().ToLowerInvariant();
        if (!AllowedNames.Contains(normalized))
            throw new ArgumentException($"Unknown ensemble strategy '{name}'; allowed: {string.Join(", ", AllowedNames)}.", nameof(name));

        var settings = (options ?? new EnsembleOptions()) with { Name = normalized };
        var errors = settings.Validate();
        if (errors.Count > 0)
            throw new ArgumentException(string.Join(" ", errors), nameof(options));

        return normalized switch
        {
            MeanLogitsStrategy.StrategyName => new MeanLogitsStrategy(),
            MeanProbabilitiesStrategy.StrategyName => new MeanProbabilitiesStrategy(settings.Temperature),
            FixedWeightsStrategy.StrategyName => new FixedWeightsStrategy(settings.FixedWeights),
            AccuracyWeightedStrategy.StrategyName => new AccuracyWeightedStrategy(settings.AccuracyExponent),
            PerClassWeightedStrategy.StrategyName => new PerClassWeightedStrategy(settings.Temperature),
            EntropyWeightedStrategy.StrategyName => new EntropyWeightedStrategy(settings.Temperature),
            DsFlStrategy.StrategyName => new DsFlStrategy(settings.Temperature, settings.SharpeningTemperature),
            MajorityVoteStrategy.StrategyName => new MajorityVoteStrategy(settings.Temperature, settings.VoteSmoothing),
            MedianStrategy.StrategyName => new MedianStrategy(),
            PateGnMaxStrategy.StrategyName => new PateGnMaxStrategy(new PateSettings(settings.NoiseSigma, settings.Threshold, settings.ThresholdSigma), settings.Temperature, settings.NoiseSeed),
            _ => new TrimmedMeanStrategy(settings.TrimFraction),
        };
    }
}
