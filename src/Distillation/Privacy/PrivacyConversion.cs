namespace FedDistill.Distillation.Privacy;

/// <summary>How a Rényi-DP curve is turned into an (ε, δ) guarantee; both are valid upper bounds.</summary>
public enum PrivacyConversion
{
    /// <summary>
    /// Mironov (2017), "Rényi Differential Privacy", Proposition 3:
    /// ε = min over orders λ of rdp(λ) + log(1/δ) / (λ − 1). The conversion the PATE papers use.
    /// </summary>
    Classic,

    /// <summary>
    /// Canonne, Kamath and Steinke (2020) / Balle et al. (2020), as TF-Privacy's current
    /// <c>get_privacy_spent</c>: ε = min over λ of rdp(λ) + log((λ − 1)/λ) − (log δ + log λ) / (λ − 1).
    /// Never larger than <see cref="Classic"/> for λ ≥ 2 and usually smaller.
    /// </summary>
    Improved,
}
