using System.Security.Cryptography.X509Certificates;
using FedDistill.Security;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Security;

/// <summary>The silo's loaded certificates (from validated <see cref="SecurityOptions"/>) and the resolver of callers' identities; one per silo, disposed with it.</summary>
internal sealed class FederationTrust(IOptions<SecurityOptions> options, TimeProvider timeProvider) : IDisposable
{
    private readonly Lazy<X509Certificate2> _authority = new(() => FederationCertificates.LoadCertificate(RequireTls(options.Value).CaCertificatePath!));
    private readonly Lazy<X509Certificate2> _server = new(() =>
        FederationCertificates.LoadCertificateWithKey(RequireTls(options.Value).ServerCertificatePath!, options.Value.ServerKeyPath!));
    private FederationIdentityResolver? _resolver;

    public X509Certificate2 ServerCertificate => _server.Value;

    public FederationIdentityResolver Resolver => _resolver ??= new FederationIdentityResolver(_authority.Value, timeProvider);

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
        if (_authority.IsValueCreated) _authority.Value.Dispose();
    }

    private static SecurityOptions RequireTls(SecurityOptions options) => options.IsInsecureLoopback
        ? throw new InvalidOperationException($"SecurityOptions.Mode is '{SecurityOptions.InsecureLoopbackMode}': the silo has no certificates to use.")
        : options;
}
