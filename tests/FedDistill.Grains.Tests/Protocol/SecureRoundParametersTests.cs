using FedDistill.Distillation.Privacy.SecureSummation;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.SecureSummation;
using FedDistill.Security.SecureSummation;
using TorchSharp;
using Xunit.Abstractions;

namespace FedDistill.Grains.Tests.Protocol;

/// <summary>
/// The secure rounds' ring and weight scale, against the plain fold, for every summable strategy:
/// each organization computes the exponent its own teachers need, the round's scale is 2 to the
/// largest of them, each folds its teachers with that scale, its sums are encoded in the round's
/// ring and added there, and the decoded total finishes the same ensemble as the plain fold of
/// every teacher, within the ring's precision; nothing is clipped.
/// </summary>
public sealed class SecureRoundParametersTests(ITestOutputHelper output)
{
    private const int Examples = 16;
    private const int Classes = 10;

    [Theory]
    [InlineData(3, 5_461)]
    [InlineData(10, 1_638)]
    [InlineData(50, 327)]
    [InlineData(255, 64)]
    public void The_rounds_ring_is_Z_2_31_with_the_largest_bound_n_summands_fit_in(int organizations, double bound)
    {
        var ring = SecureRoundParameters.Ring(organizations);
        Assert.Equal(31, ring.RingBits);
        Assert.Equal(16, ring.FractionalBits);
        Assert.Equal(bound, ring.ClipBound);
        Assert.Equal(organizations, ring.MaxSummands);
        Assert.Equal(Math.ScaleB(1.0, -17), ring.Resolution);
    }

    public static TheoryData<string, int> StrategiesAndSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var strategy in SummableStrategies.Names)
            foreach (var organizations in new[] { 3, 10, 60 })
                data.Add(strategy, organizations);
        return data;
    }

    /// <summary>
    /// Demo-scale organizations (5,000 to 25,000 private examples, class counts in the thousands,
    /// logits up to ±20, one in four with two teachers): the secure round's ensemble equals the
    /// plain one within 1e-4 in probability, with no summed value beyond the ring's bound.
    /// </summary>
    [Theory]
    [MemberData(nameof(StrategiesAndSizes))]
    public void A_secure_sum_with_the_weight_scale_finishes_the_plain_ensemble(string strategy, int organizations)
    {
        using var scope = torch.NewDisposeScope();
        var settings = new RoundSettings { Strategy = strategy };
        var random = new Random(organizations * 31 + strategy.Length);
        var labels = Enumerable.Range(0, Examples).Select(_ => random.Next(Classes)).ToArray();
        var teachers = Enumerable.Range(0, organizations)
            .Select(org => Enumerable.Range(0, org % 4 == 0 ? 2 : 1).Select(k => Teacher(random, $"t{k}")).ToList())
            .ToList();

        // Each organization's own need, from its own counts only; the round takes the largest (as every party does from the signed keys).
        var exponents = teachers.Select(own => SecureRoundParameters.WeightExponent(settings, organizations, own.Select(t => t.Report).ToList())).ToList();
        var scale = InputScale.Of(exponents.Max());
        var ring = SecureRoundParameters.Ring(organizations);
        using var plain = SecureRoundParameters.BeginSummable(settings, Examples, Classes);
        var sum = new uint[plain.SumLength];
        var encoded = new uint[plain.SumLength];
        for (var org = 0; org < organizations; org++)
        {
            using var own = SecureRoundParameters.BeginSummable(settings, Examples, Classes);
            foreach (var teacher in teachers[org])
            {
                own.Add(TeacherContributions.Create($"org-{org}", teacher, Classes, labels, scale).Contribution);
                plain.Add(TeacherContributions.Create($"org-{org}", teacher, Classes, labels).Contribution);
            }

            var sums = own.ExportSums();
            Assert.Equal(0, SecureRoundParameters.OutOfRange(sums, ring, out var largest));
            Assert.InRange(largest, 0, ring.ClipBound);
            Assert.Equal(0, ring.Encode(sums, encoded));
            FixedPointRing.Add(sum, encoded);
        }

        ring.Reduce(sum);
        var decoded = new double[sum.Length];
        ring.Decode(sum, decoded);
        using var secure = SecureRoundParameters.BeginSummable(settings, Examples, Classes);
        secure.ImportSums(decoded);
        var expected = torch.nn.functional.softmax(plain.Finish() / settings.Temperature, 1).data<float>().ToArray();
        var actual = torch.nn.functional.softmax(secure.Finish() / settings.Temperature, 1).data<float>().ToArray();
        var difference = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{strategy} at {organizations} organizations: weight scale {scale}, largest probability difference {difference:E2}");
        Assert.True(difference <= 1e-4, $"{strategy} at {organizations} organizations (weight scale {scale}): the secure ensemble's probabilities differ from the plain ones by up to {difference}.");
    }

    /// <summary>Unscaled, a demo hospital's count-based weights exceed the ring's bound: the check that makes an organization refuse finds them.</summary>
    [Theory]
    [InlineData("fixed-weights", 3)]
    [InlineData("per-class-weighted", 10)]
    public void Unscaled_demo_weights_lie_beyond_the_bound_and_are_found(string strategy, int organizations)
    {
        using var scope = torch.NewDisposeScope();
        var settings = new RoundSettings { Strategy = strategy };
        var teacher = Teacher(new Random(3), "t0") with { Report = Teacher(new Random(3), "t0").Report with { PrivateExamples = 20_000, ClassCounts = Enumerable.Repeat(20_000, Classes).ToArray() } };
        using var own = SecureRoundParameters.BeginSummable(settings, Examples, Classes);
        own.Add(TeacherContributions.Create("org-0", teacher, Classes, []).Contribution);
        var beyond = SecureRoundParameters.OutOfRange(own.ExportSums(), SecureRoundParameters.Ring(organizations), out var largest);
        Assert.True(beyond > 0);
        Assert.True(largest > SecureRoundParameters.Ring(organizations).ClipBound);
    }

    [Fact]
    public void Strategies_whose_weights_are_at_most_one_a_teacher_need_no_scale()
    {
        IReadOnlyList<TeacherReport> reports = [Teacher(new Random(1), "t0").Report];
        foreach (var strategy in new[] { "mean-logits", "mean-probabilities", "accuracy-weighted", "entropy-weighted", "ds-fl", "majority-vote" })
        {
            Assert.False(SecureRoundParameters.IsCountWeighted(new RoundSettings { Strategy = strategy }));
            Assert.Equal(0, SecureRoundParameters.WeightExponent(new RoundSettings { Strategy = strategy }, 3, reports));
        }
    }

    /// <summary>
    /// Each organization's exponent makes its own summed weight at most B / 64 (fixed-weights), its
    /// largest class total at most B (per-class-weighted), within a factor 2; the round's scale is 2
    /// to the largest, so the organization with the most weight fills the range within a factor 2,
    /// whichever order the exponents come in. An organization without teachers needs nothing.
    /// </summary>
    [Theory]
    [InlineData("fixed-weights", 3, 9, 6, 512.0)]        // 26,000 / (5,461 / 64) = 304.7; 5,000 / 85.3 = 58.6
    [InlineData("FIXED-WEIGHTS", 3, 9, 6, 512.0)]
    [InlineData("per-class-weighted", 3, -1, -3, 0.5)]  // 2,600 / 5,461 = 0.48; 500 / 5,461 = 0.09
    [InlineData("per-class-weighted", 10, 1, -1, 2.0)]  // 2,600 / 1,638 = 1.59; 500 / 1,638 = 0.31
    public void Each_organization_needs_the_exponent_of_its_own_counts_and_the_round_takes_the_largest(string strategy, int organizations, int large, int small, double scale)
    {
        var settings = new RoundSettings { Strategy = strategy };
        IReadOnlyList<TeacherReport> largest = [new TeacherReport("a", "mlp", 1, 20_000, Enumerable.Repeat(2_000, Classes).ToArray()), new TeacherReport("b", "mlp", 1, 6_000, Enumerable.Repeat(600, Classes).ToArray())];
        IReadOnlyList<TeacherReport> smaller = [new TeacherReport("a", "mlp", 1, 5_000, Enumerable.Repeat(500, Classes).ToArray())];
        Assert.True(SecureRoundParameters.IsCountWeighted(settings));
        Assert.Equal(large, SecureRoundParameters.WeightExponent(settings, organizations, largest));
        Assert.Equal(small, SecureRoundParameters.WeightExponent(settings, organizations, smaller));
        Assert.Equal(InputScale.MinExponent, SecureRoundParameters.WeightExponent(settings, organizations, []));

        int[] stated = [small, large, InputScale.MinExponent];
        foreach (var order in new[] { stated, stated.Reverse().ToArray() })
            Assert.Equal(scale, InputScale.Of(order.Max()));
        var bound = SecureRoundParameters.Ring(organizations).ClipBound;
        var (weight, target) = strategy.StartsWith("fixed", StringComparison.OrdinalIgnoreCase) ? (26_000.0, bound / SecureRoundParameters.LogitBound) : (2_600.0, bound);
        Assert.InRange(weight / scale, target / 2, target);
    }

    // A teacher at a demo hospital's scale: 5,000 to 25,000 private examples split unevenly over the classes, logits up to ±20.
    private static DecodedTeacherLogits Teacher(Random random, string id)
    {
        var examples = random.Next(5_000, 25_001);
        var shares = Enumerable.Range(0, Classes).Select(_ => Math.Pow(random.NextDouble(), 3)).ToArray();
        var counts = shares.Select(share => (int)(examples * share / shares.Sum())).ToArray();
        var logits = Enumerable.Range(0, Examples * Classes).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        return new DecodedTeacherLogits(new TeacherReport(id, "mlp", 1_000, counts.Sum(), counts), logits);
    }
}
