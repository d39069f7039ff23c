using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Protocol;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.SecureSummation;

/// <summary>
/// What the aggregator and every organization of a secure round derive alike from the round's
/// settings and the public set, so that nothing about the summation has to be negotiated.
/// </summary>
internal static class SecureRoundParameters
{
    private const int FractionalBits = 16;

    /// <summary>t: the survivors needed to unmask, max(2, quorum); up to n − t organizations may drop out after sharing keys.</summary>
    public static int Threshold(RoundSettings settings) => Math.Max(2, settings.Quorum);

    /// <summary>
    /// The Z_2^32 ring for a sum over <paramref name="organizations"/>: 2^−17 precision, and the
    /// largest clip bound the ring holds for that many summands (10,922 for 3 organizations),
    /// because the summed weights (class counts, private examples) are far above the logits' scale.
    /// </summary>
    public static FixedPointRing Ring(int organizations)
    {
        var clipBound = Math.Floor((Math.ScaleB(1.0, 31) - 1) / (organizations * Math.ScaleB(1.0, FractionalBits)));
        return new FixedPointRing(FractionalBits, clipBound, organizations, ringBits: 32);
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
