namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// Which ensemble strategy combines the teachers, and its settings; bound from configuration and
/// turned into an <see cref="IEnsembleStrategy"/> by <see cref="EnsembleStrategyFactory"/>.
/// Each setting is read only by the strategies named in its description.
/// </summary>
public sealed record EnsembleOptions
{
    /// <summary>The strategy's name: one of <see cref="EnsembleStrategyFactory.AllowedNames"/> (case-insensitive).</summary>
    public string Name { get; init; } = MeanLogitsStrategy.StrategyName;

    /// <summary>
    /// Softening temperature T &gt; 0 for the strategies that combine probabilities
    /// (<c>mean-probabilities</c>, <c>per-class-weighted</c>, <c>entropy-weighted</c>, <c>ds-fl</c>,
    /// <c>majority-vote</c>): each teacher contributes softmax(logits / T) and the result is
    /// returned as T · log q. Set it to the distillation loss's temperature.
    /// </summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>
    /// Fraction in [0, 0.5) of teachers that <c>trimmed-mean</c> drops at each end of every
    /// coordinate: floor(fraction · K) lowest and as many highest of K teachers.
    /// </summary>
    public double TrimFraction { get; init; } = 0.2;

    /// <summary>
    /// The entropy-reduction temperature T_s &gt; 0 of <c>ds-fl</c>: the target is
    /// softmax(mean probability / T_s). Below 1 it sharpens; Itahara et al. use 0.1.
    /// </summary>
    public double SharpeningTemperature { get; init; } = 0.1;

    /// <summary>
    /// Exponent γ ≥ 0 of <c>accuracy-weighted</c>: teacher k's weight is proportional to
    /// accuracy_k^γ. 1 is proportional to accuracy; 0 ignores accuracy (the plain mean); larger
    /// values hand the ensemble to the most accurate teachers.
    /// </summary>
    public double AccuracyExponent { get; init; } = 1.0;

    /// <summary>
    /// Pseudo-votes λ in (0, 1) that <c>majority-vote</c> spreads by the teachers' mean
    /// probability: q = (votes + λ · mean probability) / (K + λ). Below 1, so a class with more
    /// votes always wins and the mean probability only breaks ties.
    /// </summary>
    public double VoteSmoothing { get; init; } = 0.1;

    /// <summary>
    /// Non-negative weight per teacher id for <c>fixed-weights</c>, normalized over the teachers
    /// that contribute; a contribution's own <see cref="TeacherContribution.Weight"/> takes precedence.
    /// </summary>
    public IReadOnlyDictionary<string, double> FixedWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// GNMax noise σ₂ &gt; 0 of <c>pate-gnmax</c>, in votes: added to every vote count before the
    /// argmax. Larger is more private and less accurate; see docs/privacy.md.
    /// </summary>
    public double NoiseSigma { get; init; } = 40.0;

    /// <summary>
    /// Confident-GNMax threshold T ≥ 0 of <c>pate-gnmax</c>, in votes: an example is answered only
    /// when its largest vote count plus N(0, σ₁²) reaches T. 0 answers every example (plain GNMax).
    /// </summary>
    public double Threshold { get; init; }

    /// <summary>Noise σ₁ &gt; 0 of <c>pate-gnmax</c>'s threshold check, in votes; read only when <see cref="Threshold"/> &gt; 0.</summary>
    public double ThresholdSigma { get; init; } = 150.0;

    /// <summary>
    /// A seed that makes <c>pate-gnmax</c>'s noise reproducible, for tests and benchmarks only;
    /// <see langword="null"/> (the default) draws it from the cryptographically secure generator.
    /// </summary>
    public ulong? NoiseSeed { get; init; }

    /// <summary>The problems with these settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!EnsembleStrategyFactory.AllowedNames.Contains(Name?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{nameof(EnsembleOptions)}.{nameof(Name)} is '{Name}'; allowed: {string.Join(", ", EnsembleStrategyFactory.AllowedNames)}.");
        }

        RequirePositive(errors, nameof(Temperature), Temperature);
        RequirePositive(errors, nameof(SharpeningTemperature), SharpeningTemperature);
        if (!(TrimFraction >= 0.0 && TrimFraction < 0.5))
        {
            errors.Add($"{nameof(EnsembleOptions)}.{nameof(TrimFraction)} must lie in [0, 0.5); got {TrimFraction}.");
        }

        if (!(AccuracyExponent >= 0.0) || double.IsPositiveInfinity(AccuracyExponent))
        {
            errors.Add($"{nameof(EnsembleOptions)}.{nameof(AccuracyExponent)} must be non-negative and finite; got {AccuracyExponent}.");
        }

        if (!(VoteSmoothing > 0.0 && VoteSmoothing < 1.0))
        {
            errors.Add($"{nameof(EnsembleOptions)}.{nameof(VoteSmoothing)} must lie in (0, 1); got {VoteSmoothing}.");
        }

        if (Name?.Trim().Equals(PateGnMaxStrategy.StrategyName, StringComparison.OrdinalIgnoreCase) == true)
        {
            errors.AddRange(new Privacy.PateSettings(NoiseSigma, Threshold, ThresholdSigma).Validate()
                .Select(error => error.Replace("PateSettings.Sigma", $"{nameof(EnsembleOptions)}.{nameof(NoiseSigma)}", StringComparison.Ordinal)
                    .Replace("PateSettings.", $"{nameof(EnsembleOptions)}.", StringComparison.Ordinal)));
        }

        if (FixedWeights is null)
        {
            errors.Add($"{nameof(EnsembleOptions)}.{nameof(FixedWeights)} must not be null; leave it empty instead.");
        }
        else
        {
            foreach (var (teacher, weight) in FixedWeights)
            {
                if (!(weight >= 0.0) || double.IsPositiveInfinity(weight))
                {
                    errors.Add($"{nameof(EnsembleOptions)}.{nameof(FixedWeights)}['{teacher}'] must be non-negative and finite; got {weight}.");
                }
            }
        }

        return errors;
    }

    private static void RequirePositive(List<string> errors, string property, double value)
    {
        if (!(value > 0.0) || double.IsPositiveInfinity(value))
        {
            errors.Add($"{nameof(EnsembleOptions)}.{property} must be positive and finite; got {value}.");
        }
    }
}
