using FedDistill.Grains.Protocol;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace FedDistill.Grains.Placement;

/// <summary>Picks the active silo whose <c>SiloName</c> is the grain's site (<see cref="OrganizationPlacement"/>, <see cref="AggregatorPlacement"/>), and nothing else.</summary>
/// <remarks>
/// The silo role that <c>[SiloRoleBasedPlacement]</c> uses cannot serve here: Orleans sets it to the
/// entry assembly's name, the same on every silo. The silo name is per silo and configured.
/// </remarks>
public sealed class SitePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc />
    /// <exception cref="FederationException">No active silo has that name (<see cref="FederationErrorKind.Unavailable"/>).</exception>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var site = strategy is AggregatorPlacement ? SiteNames.Aggregator : SiteNames.OrganizationOf(target.GrainIdentity.Key.ToString()!);
        var members = membership.CurrentSnapshot.Members;
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active && string.Equals(member.Name, site, StringComparison.Ordinal))
                return Task.FromResult(silo);
        }

        throw new FederationException(FederationErrorKind.Unavailable, "site-unavailable",
            $"No active silo named '{site}' is in the cluster, so {target.GrainIdentity} cannot run: an organization's grains run only on its own silo.");
    }
}
