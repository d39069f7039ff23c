using FedDistill.Observability;

namespace FedDistill.Silo.Endpoints;

/// <summary><c>GET /metrics</c>: the aggregator's metrics in the Prometheus text format.</summary>
/// <remarks>
/// Anonymous on purpose: the metrics are counts, durations and byte totals labelled only by round
/// state, refusal reason and security kind; no participant id, data or model crosses it, and
/// Prometheus scrapers usually present no client certificate. It is read-only and cheap. Bind the
/// silo to a private interface, or put a proxy in front,
/// where even these numbers must stay inside; see docs/dashboard.md.
/// </remarks>
public static class MetricsEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/metrics";

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapAggregatorMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Route, (PrometheusExporter exporter) => TypedResults.Text(exporter.Scrape(), PrometheusExporter.ContentType))
        .AllowAnonymous();
        return endpoints;
    }
}
