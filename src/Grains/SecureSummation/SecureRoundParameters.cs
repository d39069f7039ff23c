using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Protocol;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.SecureSummation;

/// <summary>
/// What the aggregator and every organization of a secure round derive alike from the round's
/// settings and the public set, so that nothing about the summation has to be negotiated, and the
/// one number the aggregator fixes when the round opens and hands out with it: the weight scale.
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

    /// <summary>
    /// The public constant an organization divides its count-based weights by before it sums them
    /// (a weighted mean is unchanged when every weight is divided by one constant), chosen so that
    /// the organization with the most weight fills the ring's clip bound B to within a factor 2 (the
    /// scale is a power of two): for <c>fixed-weights</c> (weights = private examples, times logits
    /// up to <see cref="LogitBound"/>) the largest organization's summed weight becomes at most
    /// B / <see cref="LogitBound"/>; for <c>per-class-weighted</c> (weights = class counts, times
    /// probabilities ≤ 1) its largest per-class sum becomes at most B. Filling the range rather than
    /// scaling to 1 keeps the fixed point's absolute error (2^−17 a value) small against the summed
    /// weights. 1 for every other strategy: their weights are at most 1 a teacher (1, accuracy^γ,
    /// exp(−entropy)).
    /// </summary>
    /// <param name="settings">The round's settings (its strategy).</param>
    /// <param name="organizations">n, which sizes the ring.</param>
    /// <param name="teachers">What each organization last reported of its teachers (counts the aggregator sees in the clear); empty lists for those that have not reported.</param>
    public static double WeightScale(RoundSettings settings, int organizations, IEnumerable<IReadOnlyList<TeacherReport>> teachers)
    {
        var bound = Ring(organizations).ClipBound;
        double largest;
        double target;
        if (string.Equals(settings.Strategy, FixedWeightsStrategy.StrategyName, StringComparison.OrdinalIgnoreCase))
        {
            largest = teachers.Select(reports => reports.Sum(report => (double)report.PrivateExamples)).DefaultIfEmpty(0).Max();
            target = bound / LogitBound;
        }
        else if (string.Equals(settings.Strategy, PerClassWeightedStrategy.StrategyName, StringComparison.OrdinalIgnoreCase))
        {
            largest = teachers.Select(reports => reports.Count == 0 ? 0.0 : Enumerable.Range(0, reports.Max(report => report.ClassCounts.Count))
                .Max(c => reports.Sum(report => c < report.ClassCounts.Count ? (double)report.ClassCounts[c] : 0.0))).DefaultIfEmpty(0).Max();
            target = bound;
        }
        else return 1.0;

        // Nobody has reported counts yet (a federation's first round): weights go unscaled, and an
        // organization whose sums do not fit says so rather than upload clipped ones. Otherwise a
        // power of two at or above largest / target: peers, who receive the scale, learn only the
        // largest organization's weight to within a factor 2, and dividing by it is exact.
        return largest > 0 ? Math.ScaleB(1.0, (int)Math.Ceiling(Math.Log2(largest / target))) : 1.0;
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
