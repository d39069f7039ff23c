using FedDistill.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Hosting;

/// <summary>
/// A student served over HTTP in the caller's process: Kestrel on <see cref="ServingOptions.Urls"/>
/// and nowhere else, with <c>POST /v1/predict</c>, <c>GET /v1/model</c>, <c>GET /healthz</c> and
/// <c>GET /metrics</c>. What <c>feddistill serve</c> runs, and what tests and benchmarks start.
/// </summary>
/// <remarks>
/// The host reads no configuration of its own (no appsettings.json, no environment variables, no
/// Kestrel endpoints from elsewhere) and does not handle Ctrl+C: its owner passes the settings and
/// decides when it stops (<see cref="StopAsync"/> or <see cref="DisposeAsync"/>, which answer the
/// requests in flight first). Does not own the model.
/// </remarks>
public sealed class StudentServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StudentServer(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The addresses listened on, with the ports actually bound (a port 0 in the settings becomes the one picked).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The first of <see cref="Addresses"/>: the base address for a client.</summary>
    public Uri Address => Addresses[0];

    /// <summary>The host's services, e.g. its <see cref="Batching.DynamicBatcher"/>.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The server's instruments, e.g. for a benchmark's latency quantiles and throughput.</summary>
    public ServingMetrics Metrics => _app.Services.GetRequiredService<ServingMetrics>();

    /// <summary>Checks the options, starts the server and returns once it listens.</summary>
    /// <param name="model">The student; not owned, and must outlive the server.</param>
    /// <param name="options">Where to listen and how to batch.</param>
    /// <param name="configureLogging">Adds log providers and filters; null logs nothing.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each setting.</exception>
    /// <exception cref="IOException">An address cannot be bound (e.g. the port is taken).</exception>
    public static async Task<StudentServer> StartAsync(IStudentModel model, ServingOptions options, Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new OptionsValidationException(ServingOptions.SectionName, typeof(ServingOptions), errors);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Only what the owner said: drop appsettings.json and environment variables (ASPNETCORE_URLS,
        // Kestrel__Endpoints__…) that would make Kestrel listen somewhere it was not told to.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls([.. options.UrlList]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.AddStudentServing(model, options);

        var app = builder.Build();
        try
        {
            app.MapStudentServing();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return new StudentServer(app, bound.Select(address => new Uri(address)).ToList());
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops listening, answers the requests in flight (within <paramref name="cancellationToken"/>), and stops the batch loop.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Stops the server if it runs and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
