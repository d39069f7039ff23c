namespace FedDistill.Security.SecureSummation;

/// <summary>The outcome of a secure summation: the sum of the survivors' inputs and who they were.</summary>
/// <param name="Sum">Σ over <paramref name="Contributors"/> of their clipped inputs, within Contributors.Count · 2^−(F+1) per element.</param>
/// <param name="Contributors">The organizations whose inputs are in the sum, in ordinal order.</param>
/// <param name="Dropped">The organizations that shared keys but whose inputs never arrived, whose masks were rebuilt from shares.</param>
public sealed record SecureSummationResult(double[] Sum, IReadOnlyList<string> Contributors, IReadOnlyList<string> Dropped);
