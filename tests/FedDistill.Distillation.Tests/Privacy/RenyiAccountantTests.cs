using FedDistill.Distillation.Privacy;

namespace FedDistill.Distillation.Tests.Privacy;

public sealed class RenyiAccountantTests
{
    /// <summary>The Gaussian mechanism's RDP is the closed form λΔ²/(2σ²) at every order (Mironov 2017, Prop. 7).</summary>
    [Theory]
    [InlineData(2.0, 1.0, 1.0, 1.0)]
    [InlineData(10.0, 1.0, 2.0, 1.25)]
    [InlineData(32.0, 1.4142135623730951, 40.0, 0.02)]
    [InlineData(1.5, 3.0, 0.5, 27.0)]
    public void Gaussian_rdp_is_the_closed_form(double order, double sensitivity, double sigma, double expected)
    {
        Assert.Equal(expected, RenyiAccountant.GaussianRdp(order, sensitivity, sigma), 12);
    }

    /// <summary>GNMax costs λ/σ² per answer (sensitivity √2) and a threshold check λ/(2σ₁²); RDP composes by summing.</summary>
    [Fact]
    public void Gnmax_and_threshold_checks_compose_additively()
    {
        var orders = new[] { 2.0, 8.0, 64.0 };
        var accountant = new RenyiAccountant(orders);
        accountant.AddGnMax(sigma: 20, queries: 100);
        accountant.AddThresholdCheck(sigma: 50, queries: 300);
        for (var i = 0; i < orders.Length; i++)
            Assert.Equal(100 * orders[i] / 400.0 + 300 * orders[i] / 5000.0, accountant.Rdp[i], 12);
    }

    /// <summary>Nothing spent is ε = 0, whatever δ.</summary>
    [Fact]
    public void An_empty_accountant_has_spent_nothing()
    {
        Assert.Equal(0.0, new RenyiAccountant().GetPrivacySpent(1e-5).Epsilon);
    }

    /// <summary>
    /// (q = 1, σ, steps) Gaussian compositions converted to (ε, δ) match TF-Privacy's
    /// compute_rdp + get_privacy_spent (classic and improved conversions), as reimplemented in privacy_reference.py.
    /// </summary>
    [Fact]
    public void Conversions_match_tf_privacy_formulas()
    {
        var orders = PrivacyReference.Numbers(PrivacyReference.Root.GetProperty("orders"));
        Assert.Equal(orders, RenyiAccountant.DefaultOrders);
        foreach (var row in PrivacyReference.Root.GetProperty("conversions").EnumerateArray())
        {
            var sigma = row.GetProperty("sigma").GetDouble();
            var steps = row.GetProperty("steps").GetInt64();
            var delta = row.GetProperty("delta").GetDouble();
            var accountant = new RenyiAccountant();
            accountant.AddGaussian(1.0, sigma, steps);
            var classic = accountant.GetPrivacySpent(delta, PrivacyConversion.Classic);
            var improved = accountant.GetPrivacySpent(delta, PrivacyConversion.Improved);
            Assert.Equal(row.GetProperty("classic_epsilon").GetDouble(), classic.Epsilon, 9);
            Assert.Equal(row.GetProperty("classic_order").GetDouble(), classic.Order, 9);
            Assert.Equal(row.GetProperty("improved_epsilon").GetDouble(), improved.Epsilon, 9);
            Assert.Equal(row.GetProperty("improved_order").GetDouble(), improved.Order, 9);
            Assert.True(improved.Epsilon <= classic.Epsilon);
        }
    }

    /// <summary>
    /// The classic conversion at one order is rdp + log(1/δ)/(λ − 1) by hand: λ = 2, rdp = 1,
    /// δ = e^−3 gives 1 + 3 = 4.
    /// </summary>
    [Fact]
    public void Classic_conversion_at_one_order_is_hand_computed()
    {
        var spent = RenyiAccountant.ToEpsilon([2.0], [1.0], Math.Exp(-3), PrivacyConversion.Classic);
        Assert.Equal(4.0, spent.Epsilon, 12);
        Assert.Equal(2.0, spent.Order);
    }

    /// <summary>
    /// Soundness against the exact answer: T Gaussian releases with noise σ are one Gaussian with
    /// σ/√T, whose optimal (ε, δ) is known in closed form (Balle and Wang 2018, Theorem 8):
    /// δ(ε) = Φ(Δ/(2s) − εs/Δ) − e^ε Φ(−Δ/(2s) − εs/Δ). The RDP bound must never beat it and should stay close.
    /// </summary>
    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(5.0, 10)]
    [InlineData(40.0, 500)]
    [InlineData(100.0, 2000)]
    public void Rdp_epsilon_bounds_the_exact_gaussian_epsilon_from_above(double sigma, long releases)
    {
        const double delta = 1e-5;
        var accountant = new RenyiAccountant();
        accountant.AddGaussian(1.0, sigma, releases);
        var bound = accountant.GetPrivacySpent(delta).Epsilon;
        var exact = ExactGaussianEpsilon(sigma / Math.Sqrt(releases), delta);
        Assert.True(bound >= exact, $"RDP ε {bound} is below the exact {exact}");
        Assert.True(bound <= 1.6 * exact + 0.05, $"RDP ε {bound} is far above the exact {exact}");
    }

    /// <summary>Orders must be above 1 and increasing; δ must lie in (0, 1).</summary>
    [Fact]
    public void Bad_orders_and_delta_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RenyiAccountant([1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => new RenyiAccountant([3.0, 2.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenyiAccountant().GetPrivacySpent(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenyiAccountant().AddGnMax(0, 1));
        Assert.Throws<ArgumentException>(() => new RenyiAccountant([2.0]).Add(new RenyiAccountant([3.0])));
    }

    private static double ExactGaussianEpsilon(double s, double delta)
    {
        double Phi(double x) => Math.Exp(GaussianTail.LogSurvival(-x));
        double DeltaAt(double epsilon) => Phi(0.5 / s - epsilon * s) - Math.Exp(epsilon) * Phi(-0.5 / s - epsilon * s);
        double low = 0, high = 200;
        for (var i = 0; i < 200; i++)
        {
            var middle = (low + high) / 2;
            if (DeltaAt(middle) > delta) low = middle;
            else high = middle;
        }

        return high;
    }
}
