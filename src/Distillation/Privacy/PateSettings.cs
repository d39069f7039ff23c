namespace FedDistill.Distillation.Privacy;

/// <summary>
/// How a PATE aggregation answers: GNMax with noise σ₂ on every query, or Confident-GNMax, which
/// first checks max_c n_c + N(0, σ₁²) ≥ T and answers (with GNMax) only the queries that pass.
/// </summary>
/// <param name="Sigma">σ₂ &gt; 0: the noise added to each vote count before the argmax.</param>
/// <param name="Threshold">T ≥ 0 in votes; 0 turns the threshold check off (plain GNMax, every query answered).</param>
/// <param name="ThresholdSigma">σ₁ &gt; 0: the noise of the threshold check; read only when <paramref name="Threshold"/> &gt; 0.</param>
public sealed record PateSettings(double Sigma, double Threshold = 0, double ThresholdSigma = 1)
{
    /// <summary>True when the threshold check runs (Confident-GNMax).</summary>
    public bool IsConfident => Threshold > 0;

    /// <summary>Every problem with these settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(Sigma > 0) || !double.IsFinite(Sigma)) errors.Add($"PateSettings.Sigma is {Sigma}; it must be positive and finite.");
        if (!(Threshold >= 0) || !double.IsFinite(Threshold)) errors.Add($"PateSettings.Threshold is {Threshold}; it must be finite and non-negative (0: no threshold check).");
        if (IsConfident && (!(ThresholdSigma > 0) || !double.IsFinite(ThresholdSigma)))
            errors.Add($"PateSettings.ThresholdSigma is {ThresholdSigma}; it must be positive and finite when a threshold is set.");
        return errors;
    }

    /// <summary>
    /// The data-independent worst case of answering <paramref name="queries"/> queries: every
    /// threshold check, and GNMax on every query as if all passed. What a budget check must assume
    /// before the votes exist.
    /// </summary>
    public RenyiAccountant WorstCase(long queries, IReadOnlyList<double>? orders = null)
    {
        var accountant = new RenyiAccountant(orders);
        if (IsConfident) accountant.AddThresholdCheck(ThresholdSigma, queries);
        accountant.AddGnMax(Sigma, queries);
        return accountant;
    }
}
