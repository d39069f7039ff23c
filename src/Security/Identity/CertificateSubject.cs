using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>Reads and writes the federation's identity encoding: subject CN = name, OU = role, O = federation.</summary>
internal static class CertificateSubject
{
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationalUnitOid = "2.5.4.11";

    public static X500DistinguishedName Build(string commonName, string? organizationalUnit, string organization)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName(organization);
        if (organizationalUnit is not null) builder.AddOrganizationalUnitName(organizationalUnit);
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    /// <summary>The single CN and single OU of a subject; null where the attribute is absent or repeated (ambiguous).</summary>
    public static (string? CommonName, string? OrganizationalUnit) Read(X500DistinguishedName subject)
    {
        var commonNames = new List<string>();
        var units = new List<string>();
        foreach (var attribute in subject.EnumerateRelativeDistinguishedNames())
        {
            if (attribute.HasMultipleElements) return (null, null);
            var value = attribute.GetSingleElementValue();
            if (value is null) continue;
            switch (attribute.GetSingleElementType().Value)
            {
                case CommonNameOid: commonNames.Add(value); break;
                case OrganizationalUnitOid: units.Add(value); break;
            }
        }
        return (commonNames.Count == 1 ? commonNames[0] : null, units.Count == 1 ? units[0] : null);
    }

    public static bool HasExtendedKeyUsage(X509Certificate2 certificate, string oid) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(extension => extension.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(usage => usage.Value == oid));

    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(extension => extension.CertificateAuthority);
}
