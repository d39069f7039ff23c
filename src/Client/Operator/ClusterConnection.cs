using System.Net;
using System.Security.Cryptography.X509Certificates;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace FedDistill.Client.Operator;

/// <summary>
/// The console's connection to the federation: an Orleans client through the aggregator silo's
/// gateway, over mutual TLS with the admin's certificate, trusting only the federation's CA and
/// only the aggregator's silo certificate. Orleans keeps retrying a gateway that does not answer
/// (or refuses the certificate), so connecting has a deadline and ends in a clear message
/// instead. Disposing closes the connection.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>How long connecting may take, unless the settings say otherwise, before the gateway counts as unreachable.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(20);

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

    /// <summary>Connects, or fails within the settings' connect timeout, and checks the cluster serves the federation.</summary>
    /// <exception cref="OperatorUsageException">The gateway is not <c>host:port</c>, or a certificate file is not given.</exception>
    /// <exception cref="ConsoleCertificateException">The console's certificate does not load, is not the admin's of the federation's CA, has expired, or the gateway refused it.</exception>
    /// <exception cref="GatewayUnreachableException">No gateway answered in time, or the cluster's aggregator serves another federation.</exception>
    public static async Task<ClusterConnection> ConnectAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var gateway = ParseGateway(settings.Gateway);
        var (authority, certificate) = LoadCertificates(settings);
        var validator = new ClusterCertificateValidator(authority);
        var handshake = new GatewayHandshake();
        var timeout = settings.ConnectTimeout;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway);
            client.UseTls(certificate, tls =>
            {
                tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                // The callback alone decides: only the aggregator's silo certificate from the federation's CA.
                tls.RemoteCertificateValidation = (peer, _, _) => handshake.Record(peer, validator.CheckSilo(peer, FederationNames.AggregatorSite));
            });
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ClusterId;
            });
        });
        var host = builder.Build();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is OperationCanceledException or OrleansException or System.Net.Sockets.SocketException)
        {
            host.Dispose();
            // A TLS handshake that got as far as the gateway's certificate tells which side refused.
            if (handshake.Refusal is { } refusal)
                throw new ConsoleCertificateException(
                    $"the gateway at {gateway} presented {handshake.Peer}, which this console refuses: {refusal} Is --gateway the aggregator of the federation whose CA is --ca?", error);
            if (handshake.Peer is { } peer)
                throw new ConsoleCertificateException(
                    $"the gateway at {gateway} ({peer}, verified) did not accept this console's certificate {ClusterCertificateValidator.Describe(certificate)} within {timeout.TotalSeconds:F0} s: " +
                    "it accepts only an admin certificate issued by the federation's CA and valid now (feddistill admin issue admin).", error);
            throw new GatewayUnreachableException(
                error is OperationCanceledException
                    ? $"no gateway of cluster '{settings.ClusterId}' answered at {gateway} within {timeout.TotalSeconds:F0} s."
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

    // Checked before any connection: a console whose own certificate cannot pass would otherwise
    // retry until its deadline and say only that nothing answered.
    private static (X509Certificate2 Authority, X509Certificate2 Certificate) LoadCertificates(ConnectionSettings settings)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(settings.CaCertificate)) missing.Add($"--ca (or {ConnectionOptions.CaVariable})");
        if (string.IsNullOrWhiteSpace(settings.Certificate)) missing.Add($"--cert (or {ConnectionOptions.CertificateVariable})");
        if (string.IsNullOrWhiteSpace(settings.Key)) missing.Add($"--key (or {ConnectionOptions.KeyVariable})");
        if (missing.Count > 0)
            throw new OperatorUsageException(
                $"the gateway speaks mutual TLS only: give the federation's CA and the admin's certificate and key; missing {string.Join(", ", missing)}.");

        X509Certificate2 authority;
        X509Certificate2 certificate;
        try
        {
            authority = FederationCertificates.LoadCertificate(settings.CaCertificate!);
            certificate = FederationCertificates.LoadCertificateWithKey(settings.Certificate!, settings.Key!);
        }
        catch (CertificateAuthorityException error)
        {
            throw new ConsoleCertificateException($"{error.Message} (--ca, --cert, --key)", error);
        }

        string? problem;
        try
        {
            problem = new ClusterCertificateValidator(authority).CheckAdmin(certificate);
        }
        catch (ArgumentException error)
        {
            throw new ConsoleCertificateException($"--ca {settings.CaCertificate}: {error.Message}", error);
        }

        if (problem is not null)
            throw new ConsoleCertificateException($"the console's certificate {settings.Certificate} cannot open the gateway: {problem}");
        return (authority, certificate);
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

/// <summary>What the console saw of the gateway's TLS handshakes: the last certificate presented and whether it was refused.</summary>
internal sealed class GatewayHandshake
{
    private volatile string? _peer;
    private volatile string? _refusal;

    /// <summary>The identity the gateway's last certificate states, or null when no handshake got that far.</summary>
    public string? Peer => _peer;

    /// <summary>Why the console refused the gateway's last certificate, or null when it passed.</summary>
    public string? Refusal => _refusal;

    /// <summary>Records a checked certificate; returns whether it passed.</summary>
    public bool Record(X509Certificate2 peer, string? refusal)
    {
        _peer = ClusterCertificateValidator.Describe(peer);
        _refusal = refusal;
        return refusal is null;
    }
}

/// <summary>No gateway of the federation's cluster answered.</summary>
public sealed class GatewayUnreachableException(string message, Exception inner) : Exception(message, inner);
