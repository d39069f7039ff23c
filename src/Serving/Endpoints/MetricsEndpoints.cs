using System.Diagnostics.Metrics;
using FedDistill.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// <c>GET /metrics</c>: the meter <see cref="ServingMetrics.MeterName"/> in the Prometheus text
/// format (see <see cref="ServingMetrics"/> for the names), through OpenTelemetry's metrics SDK and
/// its Prometheus exporter. Anonymous, like the silo's: counts, durations and sizes only, no inputs
/// or logits; bind to a private address where even these must stay inside.
/// </summary>
public static class MetricsEndpoints
{
    /// <summary>The route.</summary>
    public const string Route = "/metrics";

    /// <summary>
    /// Registers OpenTelemetry metrics over <see cref="ServingMetrics.MeterName"/> with the
    /// Prometheus exporter, limited to the meters this host's <see cref="IMeterFactory"/> made:
    /// OpenTelemetry selects meters by name across the process, and several servers in one
    /// process (tests, benchmarks) must each export only their own. Scrapes are not cached, and
    /// samples carry no scope labels and no <c>target_info</c>.
    /// </summary>
    public static IServiceCollection AddServingMetricsExport(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ServingMetrics.MeterName).AddPrometheusExporter(prometheus =>
            {
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
            });
            // The view needs this host's meter factory, known once its service provider is built.
            ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
            {
                var factory = provider.GetRequiredService<IMeterFactory>();
                builder.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop);
            });
        });
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapServingMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPrometheusScrapingEndpoint(Route);
        return endpoints;
    }
}
