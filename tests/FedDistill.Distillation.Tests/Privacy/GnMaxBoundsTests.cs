using FedDistill.Distillation.Privacy;

namespace FedDistill.Distillation.Tests.Privacy;

public sealed class GnMaxBoundsTests
{
    /// <summary>log erfc matches Python's math.erfc from 0 to 26 (where erfc is 1e-296).</summary>
    [Fact]
    public void Log_erfc_matches_python()
    {
        foreach (var row in PrivacyReference.Root.GetProperty("erfc").EnumerateArray())
        {
            var x = row.GetProperty("x").GetDouble();
            var expected = row.GetProperty("log_erfc").GetDouble();
            Assert.True(Math.Abs(GaussianTail.LogErfc(x) - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"log erfc({x}) = {GaussianTail.LogErfc(x)}, expected {expected}");
        }
    }

    /// <summary>Far past where erfc underflows, log erfc follows its asymptote −x² − log(x√π).</summary>
    [Fact]
    public void Log_erfc_stays_finite_deep_in_the_tail()
    {
        var x = 100.0;
        Assert.Equal(-x * x - Math.Log(x * Math.Sqrt(Math.PI)) + Math.Log(1 - 1 / (2 * x * x)), GaussianTail.LogErfc(x), 6);
    }

    /// <summary>log q̃ and the data-dependent RDP (Theorem 6) match the PATE authors' analysis code for five histograms.</summary>
    [Fact]
    public void Data_dependent_bound_matches_the_pate_analysis_code()
    {
        foreach (var row in PrivacyReference.Root.GetProperty("gnmax").EnumerateArray())
        {
            var votes = PrivacyReference.Numbers(row.GetProperty("votes"));
            var sigma = row.GetProperty("sigma").GetDouble();
            var logq = GnMaxBounds.LogProbabilityOfOtherAnswer(votes, sigma);
            Assert.Equal(row.GetProperty("logq").GetDouble(), logq, 9);
            var orders = PrivacyReference.Numbers(row.GetProperty("orders"));
            var expected = PrivacyReference.Numbers(row.GetProperty("rdp"));
            for (var i = 0; i < orders.Length; i++)
                Assert.True(Math.Abs(Math.Max(0, expected[i]) - GnMaxBounds.DataDependentRdp(logq, sigma, orders[i])) <= 1e-9 * Math.Max(1, expected[i]),
                    $"votes [{string.Join(",", votes)}] σ {sigma} order {orders[i]}: {GnMaxBounds.DataDependentRdp(logq, sigma, orders[i])}, expected {expected[i]}");
        }
    }

    /// <summary>The data-dependent bound never exceeds the data-independent λ/σ², and a unanimous vote costs far less.</summary>
    [Fact]
    public void Data_dependent_bound_never_exceeds_the_data_independent_one()
    {
        const double sigma = 20;
        var unanimous = new double[] { 250, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        var split = new double[] { 60, 58, 50, 40, 42, 0, 0, 0, 0, 0 };
        foreach (var order in new[] { 2.0, 10.0, 30.0 })
        {
            Assert.True(GnMaxBounds.DataDependentRdp(GnMaxBounds.LogProbabilityOfOtherAnswer(split, sigma), sigma, order) <= order / (sigma * sigma) + 1e-15);
            Assert.True(GnMaxBounds.DataDependentRdp(GnMaxBounds.LogProbabilityOfOtherAnswer(unanimous, sigma), sigma, order) < 1e-3 * order / (sigma * sigma));
        }
    }
}
