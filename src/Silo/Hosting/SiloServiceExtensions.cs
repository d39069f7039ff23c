using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Grains.Protocol;
using FedDistill.Observability;
using FedDistill.Silo.Dashboard;
using FedDistill.Silo.Endpoints;
using FedDistill.Silo.Metrics;
using FedDistill.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Hosting;

/// <summary>Registers and maps the roles a silo hosts, as configured in <c>FedDistill:Silo:Roles</c>.</summary>
public static class SiloServiceExtensions
{
    /// <summary>
    /// Binds and validates (at start) the options of every configured role, and registers the
    /// aggregator's host or the participant's worker.
    /// </summary>
    /// <exception cref="OptionsValidationException">At build time, when <c>FedDistill:Silo:Roles</c> is invalid.</exception>
    public static WebApplicationBuilder AddFedDistillSilo(this WebApplicationBuilder builder)
    {
        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        var roleErrors = silo.Validate();
        if (roleErrors.Count > 0) throw new OptionsValidationException(SiloOptions.SectionName, typeof(SiloOptions), roleErrors);

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(1, DashboardJsonContext.Default);
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(silo);
        if (silo.HostsAggregator)
        {
            AddValidated<AggregatorOptions>(builder, "FedDistill:Aggregator", options => options.Validate());
            AddValidated<StoreOptions>(builder, StoreOptions.SectionName, options => options.Validate());
            builder.Services.AddSingleton<AggregatorHost>();
            builder.Services.AddHostedService(services => services.GetRequiredService<AggregatorHost>());
            builder.Services.AddSingleton(services => services.GetRequiredService<AggregatorHost>().Grain);
            builder.Services.AddSingleton<IAggregatorGrain>(services => services.GetRequiredService<AggregatorGrain>());
            AddAggregatorObservability(builder);
            // Uploads are read against AggregatorOptions.MaxUploadBytes by the upload endpoint itself.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        }

        if (silo.HostsParticipant)
        {
            AddValidated<ClientOptions>(builder, "FedDistill:Participant", options => options.Validate());
            var tls = !string.Equals(builder.Configuration["FedDistill:Security:Mode"], Security.SecurityOptions.InsecureLoopbackMode, StringComparison.Ordinal);
            AddValidated<ParticipantConnectionOptions>(builder, ParticipantConnectionOptions.SectionName, options => options.Validate(tls));
            builder.Services.AddHostedService<ParticipantWorker>();
        }

        return builder;
    }

    /// <summary>Maps the health endpoint and, when hosted, the aggregator's API, its event stream, metrics and dashboard.</summary>
    public static WebApplication MapFedDistillSilo(this WebApplication app)
    {
        app.MapSiloHealth();
        if (app.Services.GetRequiredService<SiloOptions>().HostsAggregator)
        {
            app.MapAggregator();
            app.MapDashboardEvents();
            app.MapAggregatorMetrics();
            app.MapDashboard();
        }

        return app;
    }

    // Metrics (GET /metrics) and the dashboard's event hub. Both are hosted services only so that
    // the host creates them, and they subscribe to the grain, before the aggregator starts.
    private static void AddAggregatorObservability(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidated<DashboardOptions>(builder, DashboardOptions.SectionName, options => options.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new PrometheusExporter([AggregatorMetrics.MeterName, "FedDistill.Security", "FedDistill.Dashboard"]));
        services.AddSingleton(provider => new AggregatorMetrics(provider.GetRequiredService<AggregatorGrain>(), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService(provider => provider.GetRequiredService<AggregatorMetrics>());
        services.AddSingleton<DashboardEventHub>();
        services.AddHostedService(provider => provider.GetRequiredService<DashboardEventHub>());
    }

    private static void AddValidated<TOptions>(WebApplicationBuilder builder, string section, Func<TOptions, IReadOnlyList<string>> validate)
        where TOptions : class
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new OptionsListValidator<TOptions>(validate));
    }
}
