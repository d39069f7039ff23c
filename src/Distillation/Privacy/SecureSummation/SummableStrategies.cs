using FedDistill.Distillation.Ensembles;

namespace FedDistill.Distillation.Privacy.SecureSummation;

/// <summary>
/// Which ensemble strategies secure summation can run: those computable from sums over
/// organizations (<see cref="ISummableEnsembleStrategy"/>). The others are refused with the reason.
/// </summary>
public static class SummableStrategies
{
    /// <summary>The registered strategy names that are sums, in the factory's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(EnsembleStrategyFactory.AllowedNames
        .Where(name => EnsembleStrategyFactory.Create(name) is ISummableEnsembleStrategy)
        .ToArray());

    /// <summary>Returns <paramref name="strategy"/> as a summable strategy, or refuses it saying why it cannot be computed from sums.</summary>
    /// <exception cref="ArgumentException">The strategy is not a sum; the message names it, the reason and the strategies that are.</exception>
    public static ISummableEnsembleStrategy Require(IEnsembleStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (strategy is ISummableEnsembleStrategy summable) return summable;
        var reason = strategy.RetainsEveryTeacher
            ? "it takes an order statistic of every teacher's value per element, which no sum over organizations gives"
            : "it does not fold teachers into sums";
        throw new ArgumentException(
            $"Ensemble strategy '{strategy.Name}' cannot run under secure summation: {reason}. Strategies computable from sums: {string.Join(", ", Names)}.",
            nameof(strategy));
    }
}
