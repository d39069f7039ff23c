using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Security;

/// <summary>
/// Checks the addresses the silo actually listens on once Kestrel has bound them (which also
/// covers endpoints configured in code, invisible to the options validator): in insecure-loopback
/// mode only loopback, in TLS mode only https. A violation stops the start.
/// </summary>
internal sealed class SecurityModeGuard(IServer server, IOptions<SecurityOptions> options, ILogger<SecurityModeGuard> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsInsecureLoopback) SecurityLog.InsecureModeActive(logger);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var insecure = options.Value.IsInsecureLoopback;
        foreach (var address in addresses)
        {
            var problem = insecure && !ConfiguredUrls.IsLoopback(address)
                ? $"SecurityOptions.Mode is '{SecurityOptions.InsecureLoopbackMode}' but the silo listens on {address}, which is not loopback."
                : !insecure && !ConfiguredUrls.IsHttps(address)
                    ? $"SecurityOptions.Mode is '{SecurityOptions.TlsMode}' but the silo listens on {address}, which is not https."
                    : null;
            if (problem is null) continue;
            SecurityLog.RefusingToRun(logger, problem);
            throw new InvalidOperationException(problem);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
