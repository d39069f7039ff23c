using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Protocol;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.SecureSummation;

/// <summary>
/// What the aggregator and every organization of a secure round derive alike from the round's
/// settings and the public set, so that nothing about the summation has to be negotiated, and the
/// weight-scale exponent each organization derives from its own data and states in its signed keys.
/// </summary>
internal static class SecureRoundParameters
{
    /// <summary>k: the ring is Z_2^31, 31 bits a value on the wire (3.875 bytes, 1.94× fp16).</summary>
    public const int RingBits = 31;

    /// <summary>F: values in units of 2^−16, so each is within 2^−17 ≈ 7.6e−6.</summary>
    public const int FractionalBits = 16;

    /// <summary>
    /// The largest logit magnitude a teacher-weighted mean of logits (<c>fixed-weights</c>) is sized
    /// for: its weights are scaled so that an organization's summed weight times this fits the
    /// clip bound. Logits of trained classifiers stay far inside it.
    /// </summary>
    public const double LogitBound = 64;

    /// <summary>t: the survivors needed to unmask, max(2, quorum); up to n − t organizations may drop out after sharing keys.</summary>
    public static int Threshold(RoundSettings settings) => Math.Max(2, settings.Quorum);

    /// <summary>
    /// The Z_2^31 ring for a sum over <paramref name="organizations"/> (at most 255, Shamir's
    /// limit): 2^−17 precision and the largest clip bound B that many summands fit in,
    /// ⌊(2^30 − 1) / (n · 2^16)⌋: 5,461 at 3 organizations, 1,638 at 10, 327 at 50, 64 at 255.
    /// </summary>
    public static FixedPointRing Ring(int organizations) => FixedPointRing.WithLargestBound(organizations, FractionalBits, RingBits);

    /// <summary>Whether the round's strategy weights teachers by counts (private examples, class counts), the weights a secure round scales.</summary>
    public static bool IsCountWeighted(RoundSettings settings) =>
        string.Equals(settings.Strategy, FixedWeightsStrategy.StrategyName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(settings.Strategy, PerClassWeightedStrategy.StrategyName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The weight-scale exponent one organization needs, from its own teachers' counts: the smallest
    /// e such that, with its count-based weights divided by 2^e, its sums fit the ring's clip bound B.
    /// For <c>fixed-weights</c> (weights = private examples, times logits up to
    /// <see cref="LogitBound"/>) its summed weight becomes at most B / <see cref="LogitBound"/>; for
    /// <c>per-class-weighted</c> (weights = class counts, times probabilities ≤ 1) its largest
    /// per-class total becomes at most B. The organization states e in its signed keys and every
    /// party divides by 2^(largest e stated) (<see cref="InputScale"/>), so the organization with the
    /// most weight fills the range to within a factor 2: filling it rather than scaling to 1 keeps
    /// the fixed point's absolute error (2^−17 a value) small against the summed weights, and a
    /// power of two keeps the division exact and tells peers an organization's weight only to within
    /// a factor 2. 0 for every other strategy: their weights are at most 1 a teacher (1,
    /// accuracy^γ, exp(−entropy)).
    /// </summary>
    /// <param name="settings">The round's settings (its strategy).</param>
    /// <param name="organizations">n, which sizes the ring.</param>
    /// <param name="teachers">The organization's own teachers' counts (<see cref="TeacherReport.PrivateExamples"/>, <see cref="TeacherReport.ClassCounts"/>).</param>
    public static int WeightExponent(RoundSettings settings, int organizations, IReadOnlyList<TeacherReport> teachers)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        if (!IsCountWeighted(settings)) return 0;
        var bound = Ring(organizations).ClipBound;
        if (string.Equals(settings.Strategy, FixedWeightsStrategy.StrategyName, StringComparison.OrdinalIgnoreCase))
            return InputScale.Exponent(teachers.Sum(report => (double)report.PrivateExamples), bound / LogitBound);
        var classes = teachers.Select(report => report.ClassCounts.Count).DefaultIfEmpty(0).Max();
        var largest = Enumerable.Range(0, classes).Select(c => teachers.Sum(report => c < report.ClassCounts.Count ? (double)report.ClassCounts[c] : 0.0)).DefaultIfEmpty(0).Max();
        return InputScale.Exponent(largest, bound);
    }

    /// <summary>
    /// How many of <paramref name="sums"/> the ring cannot hold: beyond its clip bound, or not
    /// finite. Encoding would clip them and make the round's sum silently wrong, so an organization
    /// with any refuses to upload (<c>sums-out-of-range</c>).
    /// </summary>
    /// <param name="sums">An organization's exported sums.</param>
    /// <param name="ring">The round's ring.</param>
    /// <param name="largest">The largest magnitude among them (NaN when one is NaN); for the organization's own log only.</param>
    public static int OutOfRange(ReadOnlySpan<float> sums, FixedPointRing ring, out double largest)
    {
        var beyond = 0;
        largest = 0.0;
        foreach (var value in sums)
        {
            var magnitude = Math.Abs((double)value);
            if (magnitude <= ring.ClipBound) continue;
            beyond++;
            largest = double.IsNaN(magnitude) || double.IsNaN(largest) ? double.NaN : Math.Max(largest, magnitude);
        }

        return beyond;
    }

    /// <summary>The session of round <paramref name="round"/>, summing the strategy's <see cref="ISummableAccumulator.SumLength"/> values.</summary>
    public static SecureSummationSession Session(string federation, int round, RoundSettings settings, int organizations, int examples, int classes)
    {
        using var accumulator = BeginSummable(settings, examples, classes);
        return new SecureSummationSession(federation, round, Threshold(settings), accumulator.SumLength, Ring(organizations));
    }

    /// <summary>An empty summable accumulator of the round's strategy.</summary>
    /// <exception cref="ArgumentException">The strategy cannot be computed from sums.</exception>
    public static ISummableAccumulator BeginSummable(RoundSettings settings, int examples, int classes) =>
        Distillation.Privacy.SecureSummation.SummableStrategies
            .Require(EnsembleStrategyFactory.Create(new EnsembleOptions { Name = settings.Strategy, Temperature = settings.Temperature }))
            .BeginSummable(examples, classes);
}
