using TorchSharp;

namespace FedDistill.Silo;

/// <summary>Liveness and build information of a silo.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>GET /healthz</c>: 200 with the libtorch version once the native library loads.</summary>
    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Ok(new { status = "ok", libtorch = torch.__version__ }));
        return endpoints;
    }
}
