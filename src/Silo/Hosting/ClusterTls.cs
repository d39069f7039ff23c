using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using FedDistill.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace FedDistill.Silo.Hosting;

/// <summary>
/// Mutual TLS on every Orleans connection of a silo (Microsoft.Orleans.Connections.Security),
/// trusting only the federation's CA: the silo port accepts silos (a certificate that names a site
/// of the federation), the gateway accepts consoles with the admin certificate, and a connection
/// this silo opens to another silo checks that the peer's certificate names the <c>SiloName</c>
/// the membership table lists for that endpoint. Every refusal is logged with the peer's stated
/// identity and the reason, and counted.
/// </summary>
public static partial class ClusterTls
{
    /// <summary>The meter of the refusals (shared with the web side's security counters).</summary>
    public const string MeterName = "FedDistill.Security";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>("feddistill.security.tls_refusals", unit: "{connection}",
        description: "TLS connections of the Orleans cluster refused, by connection kind (silo, gateway, silo-outbound).");

    // The handshake's validation callback has no connection context: the per-connection facts
    // (the peer's endpoint, the site expected there) travel with the handshake's async flow.
    private static readonly AsyncLocal<Handshake?> Current = new();

    /// <summary>
    /// Loads this silo's certificate and the CA from <paramref name="options"/> and checks them
    /// before anything listens: the files exist and load, the CA is a CA, and the certificate is a
    /// silo certificate of that CA, valid now, naming <paramref name="siteName"/>.
    /// </summary>
    /// <returns>The CA certificate and this silo's certificate with its key; they live as long as the process.</returns>
    /// <exception cref="OptionsValidationException">Any of those checks failed; the message names the setting and says why.</exception>
    public static (X509Certificate2 Authority, X509Certificate2 Certificate) Load(SiloTlsOptions options, string siteName)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2 authority;
        X509Certificate2 certificate;
        try
        {
            authority = FederationCertificates.LoadCertificate(options.CaCertificate!);
        }
        catch (CertificateAuthorityException error)
        {
            throw Invalid($"SiloHostOptions.Tls.CaCertificate: {error.Message}");
        }

        try
        {
            certificate = FederationCertificates.LoadCertificateWithKey(options.Certificate!, options.Key!);
        }
        catch (CertificateAuthorityException error)
        {
            throw Invalid($"SiloHostOptions.Tls.Certificate/Key: {error.Message}");
        }

        ClusterCertificateValidator validator;
        try
        {
            validator = new ClusterCertificateValidator(authority);
        }
        catch (ArgumentException error)
        {
            throw Invalid($"SiloHostOptions.Tls.CaCertificate ({options.CaCertificate}): {error.Message}");
        }

        if (validator.CheckSilo(certificate, siteName) is { } problem)
            throw Invalid($"SiloHostOptions.Tls.Certificate ({options.Certificate}) cannot serve silo '{siteName}': {problem}");
        return (authority, certificate);
    }

    /// <summary>Puts mutual TLS with the federation's CA on the silo port, the gateway and this silo's outbound connections.</summary>
    /// <param name="silo">The silo.</param>
    /// <param name="authority">The federation's CA certificate.</param>
    /// <param name="certificate">This silo's certificate with its private key (see <see cref="Load"/>).</param>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 authority, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var validator = new ClusterCertificateValidator(authority);
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(builder =>
                builder.UseServerTls(Server(certificate, builder, "silo", peer => validator.CheckSilo(peer))));
            connections.ConfigureGatewayInboundConnection(builder =>
                builder.UseServerTls(Server(certificate, builder, "gateway", peer => validator.CheckAdmin(peer))));
            connections.ConfigureSiloOutboundConnection(builder =>
            {
                var services = builder.ApplicationServices;
                var logger = Logger(services);
                var options = Common(certificate, logger, "silo-outbound", peer => validator.CheckSilo(peer, Current.Value?.ExpectedSite));
                options.OnAuthenticateAsClient = (context, _) =>
                    Current.Value = new Handshake(context.RemoteEndPoint, SiteAt(services, context.RemoteEndPoint));
                builder.UseClientTls(options);
            });
        });
        return silo;
    }

    private static TlsOptions Server(X509Certificate2 certificate, IConnectionBuilder builder, string kind, Func<X509Certificate2?, string?> check)
    {
        var options = Common(certificate, Logger(builder.ApplicationServices), kind, check);
        options.OnAuthenticateAsServer = (context, _) => Current.Value = new Handshake(context.RemoteEndPoint, null);
        return options;
    }

    private static TlsOptions Common(X509Certificate2 certificate, ILogger logger, string kind, Func<X509Certificate2?, string?> check) => new()
    {
        LocalCertificate = certificate,
        // Both directions present and demand a certificate; a handshake without one fails.
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        // With a callback set, the callback alone decides: the platform's own verdict (no system
        // root knows the federation's CA) is replaced by the check against that CA.
        RemoteCertificateValidation = (peer, _, _) =>
        {
            if (check(peer) is not { } problem) return true;
            Refusals.Add(1, new KeyValuePair<string, object?>("kind", kind));
            LogRefused(logger, kind, Current.Value?.Peer?.ToString() ?? "(unknown endpoint)", ClusterCertificateValidator.Describe(peer), problem);
            return false;
        },
    };

    // The SiloName a member registered for this endpoint, from this silo's membership snapshot;
    // null when the endpoint is not (yet) a member, and then any site's certificate passes.
    private static string? SiteAt(IServiceProvider services, EndPoint? endpoint)
    {
        if (endpoint is null || services.GetService<IClusterMembershipService>() is not { } membership) return null;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.SiloAddress.Endpoint.Equals(endpoint) && !string.IsNullOrEmpty(member.Name)) return member.Name;
        }

        return null;
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterTls).FullName!);

    private static OptionsValidationException Invalid(string message) =>
        new(SiloHostOptions.SectionName + ":Tls", typeof(SiloTlsOptions), [message]);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Refused a TLS connection ({Kind}) with {Endpoint}, presenting {Identity}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string kind, string endpoint, string identity, string reason);

    private sealed record Handshake(EndPoint? Peer, string? ExpectedSite);
}
