using System.Net;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FedDistill.Client.Operator;

/// <summary>
/// The console's connection to the federation: an Orleans client through the aggregator silo's
/// gateway. Orleans keeps retrying a gateway that does not answer, so connecting has a deadline
/// and ends in a clear message instead. Disposing closes the connection.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long connecting may take before the gateway counts as unreachable.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    private readonly IHost _host;

    private ClusterConnection(IHost host, IClusterClient client, string federation, IPEndPoint gateway)
    {
        _host = host;
        Client = client;
        Gateway = gateway;
        Aggregator = client.GetGrain<IAggregatorGrain>(federation);
    }

    /// <summary>The Orleans client.</summary>
    public IClusterClient Client { get; }

    /// <summary>The gateway it connected through.</summary>
    public IPEndPoint Gateway { get; }

    /// <summary>The federation's aggregator grain.</summary>
    public IAggregatorGrain Aggregator { get; }

    /// <summary>Connects, or fails within <see cref="ConnectTimeout"/>, and checks the cluster serves the federation.</summary>
    /// <exception cref="OperatorUsageException">The gateway is not <c>host:port</c>.</exception>
    /// <exception cref="GatewayUnreachableException">No gateway answered in time, or the cluster's aggregator serves another federation.</exception>
    public static async Task<ClusterConnection> ConnectAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var gateway = ParseGateway(settings.Gateway);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway);
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ClusterId;
            });
        });
        var host = builder.Build();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is OperationCanceledException or OrleansException or System.Net.Sockets.SocketException)
        {
            host.Dispose();
            throw new GatewayUnreachableException(
                error is OperationCanceledException
                    ? $"no gateway of cluster '{settings.ClusterId}' answered at {gateway} within {ConnectTimeout.TotalSeconds:F0} s."
                    : $"no gateway of cluster '{settings.ClusterId}' answered at {gateway} ({error.GetBaseException().Message}).", error);
        }

        var connection = new ClusterConnection(host, host.Services.GetRequiredService<IClusterClient>(), settings.Federation, gateway);
        try
        {
            // The aggregator grain refuses (unknown-federation) any name but its silo's federation's:
            // a wrong --federation is a wrong address, said as such.
            await connection.Aggregator.GetFederationAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FederationException error) when (error.Reason == "unknown-federation")
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new GatewayUnreachableException(
                $"cluster '{settings.ClusterId}' answered at {gateway}, but it serves no federation '{settings.Federation}' ({error.Message}).", error);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static IPEndPoint ParseGateway(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new OperatorUsageException($"--gateway is '{gateway}'; it must be host:port, e.g. {ConnectionOptions.DefaultGateway}.");
        var host = gateway[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return new IPEndPoint(addresses.First(), port);
        }
        catch (Exception error) when (error is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new OperatorUsageException($"--gateway names host '{host}', which does not resolve: {error.Message}.");
        }
    }
}

/// <summary>No gateway of the federation's cluster answered.</summary>
public sealed class GatewayUnreachableException(string message, Exception inner) : Exception(message, inner);
