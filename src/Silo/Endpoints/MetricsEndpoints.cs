using FedDistill.Grains.Aggregator;
using OpenTelemetry.Metrics;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// <c>GET /metrics</c>: the aggregator silo's meters in the Prometheus text format, through
/// OpenTelemetry's metrics SDK and its Prometheus exporter: the federation's own meters
/// (<see cref="MeterNames"/>) and Orleans' (<see cref="OrleansMeterName"/>: messaging, grain
/// activations, calls, storage, membership).
/// </summary>
/// <remarks>
/// Anonymous on purpose: the metrics are counts, durations and byte totals labelled only by round
/// state, refusal reason, security kind and Orleans' own runtime labels (grain types, silo
/// addresses); no participant id, data or model crosses it, and Prometheus scrapers usually
/// present no client certificate. It is read-only and cheap. Bind the silo to a private
/// interface, or put a proxy in front, where even these numbers must stay inside; see docs/dashboard.md.
/// </remarks>
public static class MetricsEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/metrics";

    /// <summary>The meter Orleans records its runtime instruments on.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The federation's meters: the aggregator grain's, the web side's security refusals, the dashboard's feed.</summary>
    public static IReadOnlyList<string> MeterNames { get; } = [FederationMetrics.MeterName, "FedDistill.Security", "FedDistill.Dashboard"];

    /// <summary>
    /// Registers OpenTelemetry metrics over <see cref="MeterNames"/> and <see cref="OrleansMeterName"/>
    /// with the Prometheus exporter: scrapes are not cached (each shows the values of its moment),
    /// and samples carry no scope labels and no <c>target_info</c>, so that series keep the names
    /// and labels they had (<c>feddistill_upload_bytes_total</c>, <c>{state="completed"}</c>).
    /// </summary>
    public static IServiceCollection AddAggregatorMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. MeterNames, OrleansMeterName])
            .AddPrometheusExporter(prometheus =>
            {
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
            }));
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapAggregatorMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Built now, before the silo starts: a meter provider listens only from when it exists,
        // and the aggregator's counters record their zeros when its grain first activates.
        endpoints.ServiceProvider.GetRequiredService<MeterProvider>();
        endpoints.MapPrometheusScrapingEndpoint(Route).AllowAnonymous();
        return endpoints;
    }
}
