using FedDistill.Grains;
using FedDistill.Grains.Aggregator;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Hosting;

/// <summary>The aggregator grain of the federation this silo serves, for the silo's own web endpoints.</summary>
public sealed class FederationGrain(IGrainFactory grains, IOptions<AggregatorOptions> options)
{
    /// <summary>The grain reference (cheap; the grain activates on first call).</summary>
    public IAggregatorGrain Grain => grains.GetGrain<IAggregatorGrain>(options.Value.FederationName);
}
