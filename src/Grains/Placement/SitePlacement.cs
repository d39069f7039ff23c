using Orleans.Placement;
using Orleans.Runtime;

namespace FedDistill.Grains.Placement;

/// <summary>
/// Activates a grain only on its organization's own silo: the site is the grain key up to '/'.
/// Private data and teacher weights are configured on that silo alone, so this is what keeps
/// them home: when the silo is down, a call fails instead of activating elsewhere.
/// </summary>
/// <remarks>Orleans rebuilds strategies from their type alone, so each site rule is its own type.</remarks>
[GenerateSerializer, Immutable]
public sealed class OrganizationPlacement : PlacementStrategy;

/// <summary>Activates a grain only on the aggregator's silo (<see cref="SiteNames.Aggregator"/>), where the federation's storage is configured.</summary>
[GenerateSerializer, Immutable]
public sealed class AggregatorPlacement : PlacementStrategy;

/// <summary>Places a grain on its organization's own silo (see <see cref="OrganizationPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class OrganizationPlacementAttribute() : PlacementAttribute(new OrganizationPlacement());

/// <summary>Places a grain on the aggregator's silo (see <see cref="AggregatorPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class AggregatorPlacementAttribute() : PlacementAttribute(new AggregatorPlacement());
