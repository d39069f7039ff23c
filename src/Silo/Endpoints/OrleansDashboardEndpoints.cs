using FedDistill.Silo.Security;
using Orleans.Dashboard;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// <c>GET /orleans/</c>: the Orleans Dashboard (Microsoft.Orleans.Dashboard) on the aggregator's
/// silo: the cluster's silos, grain types and activations, calls and live traces.
/// Admin only: its grain-state page activates grains and returns their state, so it is never
/// open; and that page is refused to the admin too (organizations' grains live in the same
/// cluster). The federation's own page stays at <c>/dashboard/</c> and links here.
/// </summary>
public static class OrleansDashboardEndpoints
{
    /// <summary>The route prefix.</summary>
    public const string Route = "/orleans";

    /// <summary>The dashboard's grain-state route, refused even to the admin.</summary>
    public const string GrainStateRoute = Route + "/GrainState";

    /// <summary>
    /// Adds the Orleans Dashboard's services (its grains, the silo's counters) to the aggregator's
    /// silo; <see cref="MapOrleansDashboardPages"/> maps its pages.
    /// </summary>
    public static ISiloBuilder AddOrleansDashboardServices(this ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>
    /// Maps the Orleans Dashboard under <see cref="Route"/> with the <see cref="FederationPolicies.Admin"/>
    /// policy on every one of its routes (pages, scripts and data alike), <see cref="GrainStateRoute"/>
    /// refused with a 403, and <c>/orleans</c> redirected to <c>/orleans/</c>: the dashboard's relative links need the slash.
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansDashboardPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOrleansDashboard(Route)
            .RequireAuthorization(FederationPolicies.Admin)
            .AddEndpointFilter((context, next) =>
            {
                var path = context.HttpContext.Request.Path.Value;
                // Routing matches /orleans and /orleans/ alike (one endpoint: a second one for
                // /orleans would make the match ambiguous), and the page's links are relative to the slash.
                if (string.Equals(path, Route, StringComparison.Ordinal))
                    return ValueTask.FromResult<object?>(Results.Redirect(Route + "/"));
                // The grain-state page would activate any grain of the cluster, organizations'
                // own included, and return its state to the aggregator's admin: not served.
                if (string.Equals(path, GrainStateRoute, StringComparison.OrdinalIgnoreCase))
                    return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                        detail: "The Orleans Dashboard's grain-state page is not served: it would activate grains, organizations' private ones included, and return their state."));
                return next(context);
            });
        return endpoints;
    }
}
