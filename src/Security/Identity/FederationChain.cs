using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>
/// The one chain check every certificate of the federation passes: issued directly by the
/// federation's CA, trusted through a custom root (no system roots, no downloads, no revocation
/// lookups: the federation has no CRL service), at the given time.
/// </summary>
internal static class FederationChain
{
    public static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 authority, DateTime now, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        try
        {
            var valid = chain.Build(certificate);
            var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
            if (valid && chain.ChainElements.Count == 2 && root is not null && root.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span))
            {
                problem = "";
                return true;
            }
            var statuses = chain.ChainStatus.Select(status => status.Status).ToHashSet();
            problem = statuses.Contains(X509ChainStatusFlags.NotTimeValid)
                ? "certificate or the federation's CA is outside its validity period."
                : "certificate was not issued by this federation's CA.";
            return false;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, certificate) && !ReferenceEquals(element.Certificate, authority))
                    element.Certificate.Dispose();
            }
        }
    }
}
