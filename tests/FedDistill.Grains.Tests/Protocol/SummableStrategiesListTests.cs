using FedDistill.Distillation.Privacy.SecureSummation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Protocol;

/// <summary>The contracts repeat the engine's list of strategies computable from sums; the two must not drift apart.</summary>
public sealed class SummableStrategiesListTests
{
    [Fact]
    public void The_contracts_list_of_summable_strategies_is_the_engines()
    {
        Assert.Equal(SummableStrategies.Names, RoundSettings.SummableStrategies);
        Assert.All(RoundSettings.SummableStrategies, name => Assert.Contains(name, RoundSettings.AllowedStrategies));
    }
}
