using FedDistill.Silo.Hosting;
using FedDistill.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace FedDistill.Bench;

/// <summary>
/// A silo hosted in this process: the host the silo's own <c>Program</c> builds (the same
/// configuration, its own Kestrel, its own Orleans silo on its own TLS port, its own storage),
/// started from the settings a silo process would get on its command line. The federation
/// benchmark runs its organizations this way so that 50 of them fit on one machine: as
/// processes, each would carry its own .NET runtime, libtorch and copy of the data set.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
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
