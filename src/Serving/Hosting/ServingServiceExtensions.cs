using System.Diagnostics.Metrics;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Endpoints;
using FedDistill.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace FedDistill.Serving.Hosting;

/// <summary>Registers and maps the student server in an ASP.NET Core host (as <see cref="StudentServer"/> does in its own).</summary>
public static class ServingServiceExtensions
{
    /// <summary>
    /// Registers the student, its <see cref="DynamicBatcher"/>, <see cref="ServingMetrics"/> and
    /// their Prometheus export (OpenTelemetry metrics), ProblemDetails and the JSON metadata of the answers.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="model">The student; the caller keeps owning it (the host does not dispose it).</param>
    /// <param name="options">
    /// The settings, checked here; null binds them from <see cref="ServingOptions.SectionName"/>
    /// and checks them when the host starts. Either way a bad setting fails with its name.
    /// </param>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> is invalid.</exception>
    public static WebApplicationBuilder AddStudentServing(this WebApplicationBuilder builder, IStudentModel model, ServingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(model);
        var services = builder.Services;
        if (options is null)
        {
            services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.SectionName).ValidateOnStart();
            services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        }
        else
        {
            var errors = options.Validate();
            if (errors.Count > 0) throw new OptionsValidationException(ServingOptions.SectionName, typeof(ServingOptions), errors);
            services.AddSingleton(Options.Create(options));
        }

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJsonContext.Default));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        // Registered as an instance: the container never disposes what the caller owns.
        services.AddSingleton(model);
        services.AddSingleton(provider => new ServingMetrics(provider.GetRequiredService<IMeterFactory>(), provider.GetRequiredService<TimeProvider>()));
        services.AddServingMetricsExport();
        services.AddSingleton(provider => new DynamicBatcher(
            provider.GetRequiredService<IStudentModel>(),
            provider.GetRequiredService<IOptions<ServingOptions>>().Value.Batching,
            provider.GetRequiredService<ServingMetrics>(),
            provider.GetRequiredService<ILogger<DynamicBatcher>>(),
            provider.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Turns errors into ProblemDetails (unhandled exceptions, and empty 404 and 405 answers), maps
    /// <c>POST /v1/predict</c>, <c>GET /v1/model</c>, <c>GET /healthz</c> and <c>GET /metrics</c>,
    /// and starts the batch loop now, so that the first request does not pay for it.
    /// </summary>
    /// <exception cref="OptionsValidationException">The bound options are invalid.</exception>
    public static WebApplication MapStudentServing(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The meter provider first: it listens before the batcher's metrics count their zeros.
        app.Services.GetRequiredService<MeterProvider>();
        app.Services.GetRequiredService<DynamicBatcher>();
        app.MapPrediction();
        app.MapServingHealth();
        app.MapServingMetrics();
        return app;
    }
}
