namespace FedDistill.Distillation.Privacy;

/// <summary>
/// The data-dependent privacy analysis of GNMax from Papernot et al. 2018, "Scalable Private
/// Learning with PATE" (ICLR): q̃, the bound on the probability that the noisy argmax is not the
/// true plurality (Proposition 7), and the RDP bound built on it (Theorem 6, with the higher orders
/// of Proposition 10), following the authors' published analysis code.
/// </summary>
public static class GnMaxBounds
{
    /// <summary>
    /// log q̃ for GNMax with noise σ on <paramref name="votes"/>:
    /// q̃ = Σ_{i ≠ i*} P[N(0, 2σ²) ≥ n_{i*} − n_i], capped at 1 − 1/C (C classes, so the bound is
    /// never worse than a uniformly random answer).
    /// </summary>
    /// <exception cref="ArgumentException">The histogram is empty or holds a negative or non-finite count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">σ is not positive and finite.</exception>
    public static double LogProbabilityOfOtherAnswer(ReadOnlySpan<double> votes, double sigma)
    {
        RenyiAccountant.RequireSigma(sigma, nameof(sigma));
        if (votes.Length == 0) throw new ArgumentException("The vote histogram is empty.", nameof(votes));
        var top = 0;
        for (var i = 0; i < votes.Length; i++)
        {
            if (!(votes[i] >= 0) || !double.IsFinite(votes[i])) throw new ArgumentException($"Vote count {votes[i]} must be finite and non-negative.", nameof(votes));
            if (votes[i] > votes[top]) top = i;
        }

        if (votes.Length == 1) return double.NegativeInfinity;
        var logq = double.NegativeInfinity;
        var scale = Math.Sqrt(2.0) * sigma;
        for (var i = 0; i < votes.Length; i++)
        {
            if (i != top) logq = GaussianTail.LogAddExp(logq, GaussianTail.LogSurvival((votes[top] - votes[i]) / scale));
        }

        return Math.Min(logq, Math.Log(1.0 - 1.0 / votes.Length));
    }

    /// <summary>
    /// The RDP of one GNMax answer at order λ given log q̃: the data-dependent bound of Theorem 6
    /// where its conditions hold (with μ₂ = σ√(−log q̃), μ₁ = μ₂ + 1, as in Proposition 10), else
    /// the data-independent λ/σ²; always the smaller of the two. 0 when log q̃ = −∞ (the answer is
    /// certain).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">log q̃ &gt; 0, σ not positive and finite, or λ ≤ 1.</exception>
    public static double DataDependentRdp(double logq, double sigma, double order)
    {
        RenyiAccountant.RequireSigma(sigma, nameof(sigma));
        if (!(logq <= 0)) throw new ArgumentOutOfRangeException(nameof(logq), logq, "log q̃ must be non-positive.");
        if (!(order > 1.0)) throw new ArgumentOutOfRangeException(nameof(order), order, "The Rényi order must be above 1.");
        if (double.IsNegativeInfinity(logq)) return 0.0;

        var variance = sigma * sigma;
        var independent = order / variance;
        var mu2 = Math.Sqrt(variance * -logq);
        var mu1 = mu2 + 1.0;
        if (!(mu1 > order && mu2 > 1.0)) return independent;

        var epsilon1 = mu1 / variance;
        var epsilon2 = mu2 / variance;
        // Theorem 6 needs q̃ in the range where its bound increases with q̃ and A is positive.
        var logA2 = (mu2 - 1.0) * epsilon2;
        var applies = logq <= logA2 - mu2 * (Math.Log(1.0 + 1.0 / (mu1 - 1.0)) + Math.Log(1.0 + 1.0 / (mu2 - 1.0))) && -logq > epsilon2;
        if (!applies) return independent;

        var log1q = GaussianTail.Log1MinusExp(logq);
        var logA = (order - 1.0) * (log1q - GaussianTail.Log1MinusExp((logq + epsilon2) * (1.0 - 1.0 / mu2)));
        var logB = (order - 1.0) * (epsilon1 - logq / (mu1 - 1.0));
        var dependent = GaussianTail.LogAddExp(log1q + logA, logq + logB) / (order - 1.0);
        // Rounding can leave the bound a hair below zero where the answer is all but certain.
        return double.IsNaN(dependent) ? independent : Math.Max(0.0, Math.Min(independent, dependent));
    }
}
