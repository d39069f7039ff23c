namespace FedDistill.Distillation.Privacy;

/// <summary>An (ε, δ)-differential-privacy guarantee and the Rényi order that gave it.</summary>
/// <param name="Epsilon">ε ≥ 0 (natural-log units); 0 when nothing was spent.</param>
/// <param name="Delta">δ in (0, 1): the probability the ε bound may fail.</param>
/// <param name="Order">The Rényi order λ &gt; 1 at which the minimum was reached; NaN when nothing was spent.</param>
public sealed record PrivacySpent(double Epsilon, double Delta, double Order);
