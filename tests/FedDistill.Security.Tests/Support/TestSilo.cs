using FedDistill.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FedDistill.Security.Tests.Support;

/// <summary>A minimal silo on a real Kestrel with the federation's security and three guarded endpoints; stopped on dispose.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestSilo(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Builds the silo; throws what StartAsync throws (after stopping it) when the configuration is refused.</summary>
    public static async Task<TestSilo> StartAsync(string url, IDictionary<string, string?> security, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(security.Select(pair => new KeyValuePair<string, string?>($"{SecurityOptions.SectionName}:{pair.Key}", pair.Value)));
        builder.WebHost.UseUrls(url);
        builder.AddFederationSecurity();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseFederationSecurity();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/v1/admin", (HttpContext context) => context.GetFederationIdentity()!.ToString()).RequireAuthorization(FederationPolicies.Admin);
        try
        {
            await app.StartAsync();
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new TestSilo(app, new Uri(bound));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
