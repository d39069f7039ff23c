using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FedDistill.Grains.Hosting;

/// <summary>
/// What each kind of silo adds to Orleans: every silo the site placement; the aggregator's silo
/// the federation's services; an organization's silo its own options. Storage providers
/// (<see cref="StorageNames"/>) are the host's to register, from its own configuration.
/// </summary>
public static class FederationSiloExtensions
{
    /// <summary>
    /// The site placement (every silo of the cluster must have it), the federation's call filter
    /// (<see cref="FederationCallFilter"/>: who may call which grain method) and the federation's
    /// clock (<see cref="FederationClock"/>).
    /// </summary>
    public static ISiloBuilder AddFederationPlacement(this ISiloBuilder silo)
    {
        if (!silo.Services.Any(service => service.ServiceType == typeof(FederationCallFilter)))
        {
            silo.Services.AddSingleton<FederationCallFilter>();
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(services => services.GetRequiredService<FederationCallFilter>());
        }

        silo.Services.AddPlacementDirector<OrganizationPlacement, SitePlacementDirector>();
        silo.Services.AddPlacementDirector<AggregatorPlacement, SitePlacementDirector>();
        silo.Services.TryAddKeyedSingleton(FederationClock.Key, TimeProvider.System);
        return silo;
    }

    /// <summary>The aggregator's silo: its options (validated at start), public set, artifacts, metrics, and the grain kept active (<see cref="AggregatorActivation"/>).</summary>
    /// <param name="silo">The silo; its <c>SiloName</c> must be <see cref="SiteNames.Aggregator"/>.</param>
    /// <param name="configure">Binds the options.</param>
    public static ISiloBuilder AddFederationAggregator(this ISiloBuilder silo, Action<AggregatorOptions> configure)
    {
        silo.AddFederationPlacement();
        silo.Services.AddOptions<AggregatorOptions>().Configure(configure).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<AggregatorOptions>>(new OptionsListValidator<AggregatorOptions>(options => options.Validate()));
        silo.Services.AddSingleton(services => new PublicSetCatalog(services.GetRequiredService<IOptions<AggregatorOptions>>().Value.DataDirectory));
        silo.Services.AddSingleton<ArtifactArchive>();
        silo.Services.AddSingleton<FederationMetrics>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AggregatorActivation>();
        return silo;
    }

    /// <summary>An organization's silo: its options (validated at start) and its copy of the public set.</summary>
    /// <param name="silo">The silo; its <c>SiloName</c> must be the organization's id.</param>
    /// <param name="configure">Binds the options.</param>
    public static ISiloBuilder AddFederationOrganization(this ISiloBuilder silo, Action<OrganizationOptions> configure)
    {
        silo.AddFederationPlacement();
        silo.Services.AddOptions<OrganizationOptions>().Configure(configure).ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<OrganizationOptions>>(new OptionsListValidator<OrganizationOptions>(options => options.Validate()));
        silo.Services.AddSingleton(services => new PublicSetCatalog(services.GetRequiredService<IOptions<OrganizationOptions>>().Value.DataDirectory));
        return silo;
    }
}
