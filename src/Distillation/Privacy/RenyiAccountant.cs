namespace FedDistill.Distillation.Privacy;

/// <summary>
/// A Rényi-differential-privacy accountant: it keeps the RDP ε(λ) spent so far at a fixed grid of
/// orders λ &gt; 1, adds mechanisms by summing their RDP (Mironov 2017, Proposition 1: RDP
/// composes additively at each order), and converts the total to (ε, δ).
/// </summary>
/// <remarks>
/// <para>
/// Mechanisms: the Gaussian mechanism with L2 sensitivity Δ and noise σ has RDP λΔ²/(2σ²) at every
/// order (Mironov 2017, Proposition 7). PATE's GNMax adds N(0, σ²) to each vote count; one
/// teacher changing its vote moves two counts by one, an L2 change of √2, so its
/// data-independent RDP is λ/σ² per query (Papernot et al. 2018, "Scalable Private Learning with
/// PATE", Proposition 8). Confident-GNMax's threshold check compares the noisy largest count with
/// a threshold; one teacher moves that count by at most 1, so it costs λ/(2σ₁²) per query,
/// answered or not.
/// </para>
/// <para>
/// The data-dependent bound (<see cref="AddGnMaxDataDependent"/>, the paper's Theorem 6) depends
/// on the vote histogram, so the number it yields is itself a function of the private data:
/// publishing it as it stands is not differentially private (the paper releases it through smooth
/// sensitivity, which this class does not implement). The federation therefore budgets and records
/// the data-independent bound only; the data-dependent one is for analysis.
/// </para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class RenyiAccountant
{
    private readonly double[] _orders;
    private readonly double[] _rdp;

    /// <summary>
    /// The default orders: fine steps near 1 (small budgets over few queries), then integers and a
    /// geometric tail up to 4096 (large noise over few queries puts the optimum at high orders).
    /// </summary>
    public static IReadOnlyList<double> DefaultOrders { get; } = Array.AsReadOnly(
        Enumerable.Range(1, 99).Select(step => 1.0 + step / 10.0)
            .Concat(Enumerable.Range(11, 53).Select(order => (double)order))
            .Concat([64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024, 1536, 2048, 3072, 4096])
            .ToArray());

    /// <summary>Starts an accountant with nothing spent.</summary>
    /// <param name="orders">Rényi orders, each &gt; 1 and finite, strictly increasing; <see cref="DefaultOrders"/> when null.</param>
    /// <exception cref="ArgumentException">An order is not above 1, not finite, or the orders do not increase.</exception>
    public RenyiAccountant(IReadOnlyList<double>? orders = null)
    {
        _orders = (orders ?? DefaultOrders).ToArray();
        if (_orders.Length == 0) throw new ArgumentException("At least one Rényi order is needed.", nameof(orders));
        for (var i = 0; i < _orders.Length; i++)
        {
            if (!(_orders[i] > 1.0) || !double.IsFinite(_orders[i]))
                throw new ArgumentException($"Rényi order {_orders[i]} must be finite and above 1.", nameof(orders));
            if (i > 0 && !(_orders[i] > _orders[i - 1]))
                throw new ArgumentException("The Rényi orders must increase strictly.", nameof(orders));
        }

        _rdp = new double[_orders.Length];
    }

    /// <summary>The orders λ this accountant tracks.</summary>
    public IReadOnlyList<double> Orders => _orders;

    /// <summary>The RDP ε(λ) spent so far at each of <see cref="Orders"/> (a copy).</summary>
    public IReadOnlyList<double> Rdp => _rdp.ToArray();

    /// <summary>The RDP at order λ of the Gaussian mechanism with L2 sensitivity Δ and noise σ: λΔ²/(2σ²).</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ ≤ 1, Δ &lt; 0 or σ ≤ 0, or one is not finite.</exception>
    public static double GaussianRdp(double order, double sensitivity, double sigma)
    {
        if (!(order > 1.0) || !double.IsFinite(order)) throw new ArgumentOutOfRangeException(nameof(order), order, "The Rényi order must be finite and above 1.");
        RequireSensitivity(sensitivity);
        RequireSigma(sigma, nameof(sigma));
        return order * sensitivity * sensitivity / (2.0 * sigma * sigma);
    }

    /// <summary>Spends <paramref name="count"/> runs of the Gaussian mechanism with L2 sensitivity Δ and noise σ.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Δ &lt; 0, σ ≤ 0 or <paramref name="count"/> &lt; 0.</exception>
    public void AddGaussian(double sensitivity, double sigma, long count = 1)
    {
        RequireSensitivity(sensitivity);
        RequireSigma(sigma, nameof(sigma));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var i = 0; i < _orders.Length; i++) _rdp[i] += count * GaussianRdp(_orders[i], sensitivity, sigma);
    }

    /// <summary>Spends <paramref name="queries"/> GNMax answers with noise σ, data-independently: λ/σ² each.</summary>
    public void AddGnMax(double sigma, long queries) => AddGaussian(Math.Sqrt(2.0), sigma, queries);

    /// <summary>Spends <paramref name="queries"/> Confident-GNMax threshold checks with noise σ₁: λ/(2σ₁²) each.</summary>
    public void AddThresholdCheck(double sigma, long queries) => AddGaussian(1.0, sigma, queries);

    /// <summary>
    /// Spends one GNMax answer with noise σ on the vote histogram <paramref name="votes"/>, with the
    /// data-dependent bound of Papernot et al. 2018 (Theorem 6, orders chosen by Proposition 10),
    /// never more than the data-independent λ/σ². See the class remarks before publishing the result.
    /// </summary>
    /// <exception cref="ArgumentException">The histogram is empty or holds a negative or non-finite count.</exception>
    public void AddGnMaxDataDependent(ReadOnlySpan<double> votes, double sigma)
    {
        var logq = GnMaxBounds.LogProbabilityOfOtherAnswer(votes, sigma);
        for (var i = 0; i < _orders.Length; i++) _rdp[i] += GnMaxBounds.DataDependentRdp(logq, sigma, _orders[i]);
    }

    /// <summary>Adds what another accountant on the same orders has spent.</summary>
    /// <exception cref="ArgumentException">The accountants track different orders.</exception>
    public void Add(RenyiAccountant other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._orders.AsSpan().SequenceEqual(_orders))
            throw new ArgumentException("Only accountants on the same Rényi orders can be composed.", nameof(other));
        for (var i = 0; i < _rdp.Length; i++) _rdp[i] += other._rdp[i];
    }

    /// <summary>The (ε, δ) guarantee of everything spent so far.</summary>
    /// <param name="delta">δ in (0, 1).</param>
    /// <param name="conversion">Which RDP-to-(ε, δ) conversion; see <see cref="PrivacyConversion"/>.</param>
    public PrivacySpent GetPrivacySpent(double delta, PrivacyConversion conversion = PrivacyConversion.Improved) =>
        ToEpsilon(_orders, _rdp, delta, conversion);

    /// <summary>Converts an RDP curve to (ε, δ), minimizing over the orders.</summary>
    /// <param name="orders">Orders λ &gt; 1.</param>
    /// <param name="rdp">ε(λ) ≥ 0 at each order (+∞ allowed).</param>
    /// <param name="delta">δ in (0, 1).</param>
    /// <param name="conversion">Which conversion.</param>
    /// <exception cref="ArgumentException">The lengths differ, an order is not above 1 or an RDP value is negative or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">δ is not in (0, 1).</exception>
    public static PrivacySpent ToEpsilon(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta, PrivacyConversion conversion = PrivacyConversion.Improved)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must lie in (0, 1).");
        if (orders.Count != rdp.Count || orders.Count == 0) throw new ArgumentException("One RDP value is needed per order, and at least one order.", nameof(rdp));
        if (rdp.All(value => value == 0)) return new PrivacySpent(0, delta, double.NaN);

        var best = double.PositiveInfinity;
        var bestOrder = double.NaN;
        for (var i = 0; i < orders.Count; i++)
        {
            var order = orders[i];
            var value = rdp[i];
            if (!(order > 1.0)) throw new ArgumentException($"Rényi order {order} must be above 1.", nameof(orders));
            if (!(value >= 0)) throw new ArgumentException($"The RDP at order {order} is {value}; it must be non-negative.", nameof(rdp));
            var epsilon = conversion switch
            {
                PrivacyConversion.Classic => value + Math.Log(1.0 / delta) / (order - 1.0),
                // Unstable as λ → 1 (TF-Privacy skips orders up to 1.01 too).
                _ => order > 1.01 ? value + Math.Log((order - 1.0) / order) - (Math.Log(delta) + Math.Log(order)) / (order - 1.0) : double.PositiveInfinity,
            };
            if (epsilon < best)
            {
                best = epsilon;
                bestOrder = order;
            }
        }

        return new PrivacySpent(Math.Max(0.0, best), delta, bestOrder);
    }

    private static void RequireSensitivity(double sensitivity)
    {
        if (!(sensitivity >= 0) || !double.IsFinite(sensitivity))
            throw new ArgumentOutOfRangeException(nameof(sensitivity), sensitivity, "The sensitivity must be finite and non-negative.");
    }

    internal static void RequireSigma(double sigma, string name)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(name, sigma, "The noise scale σ must be positive and finite.");
    }
}
