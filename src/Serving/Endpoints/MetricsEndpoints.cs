using FedDistill.Observability;
using FedDistill.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// <c>GET /metrics</c>: the meter <see cref="ServingMetrics.MeterName"/> in the Prometheus text
/// format (see <see cref="ServingMetrics"/> for the names). Anonymous, like the silo's: counts,
/// durations and sizes only, no inputs or logits; bind to a private address where even these must stay inside.
/// </summary>
public static class MetricsEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/metrics";

    /// <summary>The exporter's service key, so that a host with exporters of its own keeps them apart.</summary>
    public const string ExporterKey = ServingMetrics.MeterName;

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapServingMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Route, ([FromKeyedServices(ExporterKey)] PrometheusExporter exporter) => TypedResults.Text(exporter.Scrape(), PrometheusExporter.ContentType));
        return endpoints;
    }
}
