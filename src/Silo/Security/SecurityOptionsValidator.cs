using System.Security.Cryptography.X509Certificates;
using FedDistill.Security;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Security;

/// <summary>
/// Checks <see cref="SecurityOptions"/> when the silo starts: a known mode; in TLS mode readable
/// CA and server certificates that belong to each other and https-only URLs; in the insecure
/// loopback mode loopback-only URLs. Every message names <c>SecurityOptions.Property</c>.
/// </summary>
internal sealed class SecurityOptionsValidator(IConfiguration configuration) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        switch (options.Mode)
        {
            case SecurityOptions.TlsMode:
                ValidateTls(options, failures);
                foreach (var url in ConfiguredUrls.Read(configuration).Where(url => !ConfiguredUrls.IsHttps(url)))
                    failures.Add($"SecurityOptions.Mode is '{SecurityOptions.TlsMode}' but the silo is configured to listen on {url}, which is not https; use an https:// URL (or Mode '{SecurityOptions.InsecureLoopbackMode}' for a loopback demo).");
                break;
            case SecurityOptions.InsecureLoopbackMode:
                foreach (var url in ConfiguredUrls.Read(configuration).Where(url => !ConfiguredUrls.IsLoopback(url)))
                    failures.Add($"SecurityOptions.Mode is '{SecurityOptions.InsecureLoopbackMode}' but the silo is configured to listen on {url}, which is not loopback; that mode trusts a header anyone could send, so it listens only on 127.0.0.1, [::1] or localhost. Use Mode '{SecurityOptions.TlsMode}' for anything else.");
                break;
            default:
                failures.Add($"SecurityOptions.Mode is '{options.Mode}'; use '{SecurityOptions.TlsMode}' or '{SecurityOptions.InsecureLoopbackMode}'.");
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTls(SecurityOptions options, List<string> failures)
    {
        Require(options.CaCertificatePath, nameof(SecurityOptions.CaCertificatePath), "the federation's ca.crt, from 'feddistill admin ca create'", failures);
        Require(options.ServerCertificatePath, nameof(SecurityOptions.ServerCertificatePath), "this silo's certificate, from 'feddistill admin issue server'", failures);
        Require(options.ServerKeyPath, nameof(SecurityOptions.ServerKeyPath), "the key written next to the server certificate", failures);
        if (failures.Count > 0) return;

        X509Certificate2? authority = null;
        X509Certificate2? server = null;
        try
        {
            authority = Load(() => FederationCertificates.LoadCertificate(options.CaCertificatePath!), nameof(SecurityOptions.CaCertificatePath), failures);
            server = Load(() => FederationCertificates.LoadCertificateWithKey(options.ServerCertificatePath!, options.ServerKeyPath!), nameof(SecurityOptions.ServerCertificatePath), failures);
            if (authority is null || server is null) return;
            if (authority.Extensions.OfType<X509BasicConstraintsExtension>().All(extension => !extension.CertificateAuthority))
            {
                failures.Add($"SecurityOptions.CaCertificatePath {options.CaCertificatePath} is not a CA certificate; point it at the federation's ca.crt.");
                return;
            }
            if (!IssuedForServing(server, authority, out var problem))
                failures.Add($"SecurityOptions.ServerCertificatePath {options.ServerCertificatePath} {problem}; issue one with 'feddistill admin issue server --ca-dir DIR --host HOST --out DIR'.");
        }
        finally
        {
            authority?.Dispose();
            server?.Dispose();
        }
    }

    private static bool IssuedForServing(X509Certificate2 server, X509Certificate2 authority, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        var valid = chain.Build(server);
        var statuses = chain.ChainStatus.Select(status => status.Status).ToList();
        foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        problem = valid ? ""
            : statuses.Contains(X509ChainStatusFlags.NotTimeValid) ? "is expired or not yet valid"
            : statuses.Contains(X509ChainStatusFlags.NotValidForUsage) ? "is not a server certificate (it lacks the serverAuth extended key usage)"
            : "was not issued by the CA in SecurityOptions.CaCertificatePath";
        return valid;
    }

    private static void Require(string? value, string property, string what, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
            failures.Add($"SecurityOptions.{property} is required when SecurityOptions.Mode is '{SecurityOptions.TlsMode}': {what}. Set FedDistill:Security:{property}.");
    }

    private static X509Certificate2? Load(Func<X509Certificate2> load, string property, List<string> failures)
    {
        try
        {
            return load();
        }
        catch (CertificateAuthorityException exception)
        {
            failures.Add($"SecurityOptions.{property}: {exception.Message}");
            return null;
        }
    }
}
