using FedDistill.Serving.Batching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FedDistill.Serving.Endpoints;

/// <summary>Liveness of the student server.</summary>
public static class HealthEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/healthz";

    /// <summary>Maps <c>GET /healthz</c>: 200 with <see cref="HealthReport"/> once the batch loop is running.</summary>
    public static IEndpointRouteBuilder MapServingHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Route, (DynamicBatcher batcher) => TypedResults.Ok(new HealthReport("ok", batcher.QueueDepth)));
        return endpoints;
    }
}
