using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FedDistill.Security;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// Opens a raw TLS connection to a silo's port, presenting a certificate (or none), and says whether
/// the silo kept it: a refused peer sees the handshake fail or the connection closed at once; an
/// accepted one finds the silo waiting for its Orleans preamble.
/// </summary>
public static class TlsProbe
{
    public static async Task<bool> AcceptedAsync(int port, string? certificate, string? key)
    {
        using var presented = certificate is null ? null : FederationCertificates.LoadCertificateWithKey(certificate, key!);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        // The probe trusts any server: what is tested is the silo's verdict on the probe.
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "aggregator",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificates = presented is null ? null : new X509CertificateCollection { presented },
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(10));
            // TLS 1.3 completes the client's side before the server has judged the client's certificate.
            var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(3));
            return read > 0;
        }
        catch (TimeoutException)
        {
            return true;
        }
        catch (Exception error) when (error is AuthenticationException or IOException)
        {
            return false;
        }
    }
}
