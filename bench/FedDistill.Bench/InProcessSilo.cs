using System.Collections.Concurrent;
using FedDistill.Grains.Federation;
using FedDistill.Silo.Hosting;
using FedDistill.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace FedDistill.Bench;

/// <summary>
/// A silo hosted in this process: the host the silo's own <c>Program</c> builds (the same
/// configuration, its own Kestrel, its own Orleans silo on its own TLS port, its own storage),
/// started from the settings a silo process would get on its command line. The federation
/// benchmark runs its organizations this way so that 50 of them fit on one machine: as
/// processes, each would carry its own .NET runtime, libtorch and copy of the data set.
/// </summary>
/// <remarks>
/// The silos of one data directory share one <see cref="PublicSetCatalog"/> (it is thread-safe and
/// its data sets are read-only): each silo parsing Fashion-MNIST for itself took about 220 MB a
/// silo, 11 GB at 50, and the benchmark was killed for memory when anything else ran beside it.
/// </remarks>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, PublicSetCatalog> SharedCatalogs = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private InProcessSilo(WebApplication app) => _app = app;

    /// <summary>Builds and starts the silo; returns once it has joined its cluster.</summary>
    /// <param name="settings">Configuration, as <c>--Key=Value</c> arguments would give it.</param>
    /// <param name="contentRoot">Where the silo's <c>appsettings.json</c> is (the silo's build output).</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<InProcessSilo> StartAsync(IReadOnlyDictionary<string, string> settings, string contentRoot, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.Select(pair => $"--{pair.Key}={pair.Value}").ToArray(),
            ContentRootPath = contentRoot,
            EnvironmentName = Environments.Production,
        });
        builder.AddFederationSecurity();
        builder.AddFedDistillSilo();
        var dataDirectory = builder.Configuration["FedDistill:Organization:DataDirectory"];
        var catalog = SharedCatalogs.GetOrAdd(dataDirectory ?? string.Empty, directory => new PublicSetCatalog(directory.Length == 0 ? null : directory));
        builder.Services.Replace(ServiceDescriptor.Singleton(catalog));
        var app = builder.Build();
        app.UseFederationSecurity();
        app.MapFedDistillSilo();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new InProcessSilo(app);
    }

    /// <summary>Stops the silo (it leaves the cluster) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _app.StopAsync(stopping.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
