using System.Security.Cryptography.X509Certificates;
using FedDistill.Security.Tests.Support;

namespace FedDistill.Security.Tests.Authority;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Created_CA_loads_back_with_its_name_and_CA_extensions()
    {
        using var directory = new TemporaryDirectory();
        string thumbprint;
        using (var created = CertificateAuthority.Create(directory.Combine("ca"), "Lakeside Hospitals", TimeSpan.FromDays(30)))
        {
            using var certificate = created.GetPublicCertificate();
            thumbprint = certificate.Thumbprint;
        }

        using var loaded = CertificateAuthority.Load(directory.Combine("ca"));
        using var loadedCertificate = loaded.GetPublicCertificate();
        Assert.Equal(thumbprint, loadedCertificate.Thumbprint);
        Assert.Equal("Lakeside Hospitals", loaded.FederationName);
        Assert.Equal(directory.Combine("ca", "ca.crt"), loaded.CertificatePath);
        Assert.Equal(directory.Combine("ca", "ca.key"), loaded.KeyPath);
        Assert.False(loadedCertificate.HasPrivateKey);

        var constraints = loadedCertificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = loadedCertificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        using var key = loadedCertificate.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(loadedCertificate.SubjectName.RawData, loadedCertificate.IssuerName.RawData);
        Assert.InRange(loadedCertificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30.1));
    }

    [Fact]
    public void Create_refuses_to_overwrite_an_existing_CA_unless_asked()
    {
        using var directory = new TemporaryDirectory();
        CertificateAuthority.Create(directory.Path, "first", TimeSpan.FromDays(1)).Dispose();
        var before = File.ReadAllText(directory.Combine("ca.crt"));

        var refused = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Create(directory.Path, "second", TimeSpan.FromDays(1)));
        Assert.Contains("already exists", refused.Message);
        Assert.Equal(before, File.ReadAllText(directory.Combine("ca.crt")));

        using var replaced = CertificateAuthority.Create(directory.Path, "second", TimeSpan.FromDays(1), overwrite: true);
        Assert.Equal("second", replaced.FederationName);
        Assert.NotEqual(before, File.ReadAllText(directory.Combine("ca.crt")));
    }

    [Fact]
    public void Private_key_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        using var directory = new TemporaryDirectory();
        using var authority = CertificateAuthority.Create(directory.Combine("ca"), "demo", TimeSpan.FromDays(1));
        var issued = authority.IssueSilo("hospital-a", [], directory.Combine("out"));

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(authority.KeyPath));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(issued.KeyPath));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(authority.CertificatePath) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        Assert.Empty(Directory.GetFiles(directory.Combine("out"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Load_refuses_a_CA_key_that_other_users_can_read()
    {
        if (OperatingSystem.IsWindows()) return;
        using var directory = new TemporaryDirectory();
        CertificateAuthority.Create(directory.Path, "demo", TimeSpan.FromDays(1)).Dispose();
        File.SetUnixFileMode(directory.Combine("ca.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var refused = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Load(directory.Path));
        Assert.Contains("chmod 600", refused.Message);
    }

    [Fact]
    public void Load_of_a_directory_without_a_CA_says_how_to_create_one()
    {
        using var directory = new TemporaryDirectory();
        var missing = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Load(directory.Path));
        Assert.Contains("feddistill admin ca create", missing.Message);
    }

    [Fact]
    public void Load_names_the_missing_key_file()
    {
        using var directory = new TemporaryDirectory();
        CertificateAuthority.Create(directory.Path, "demo", TimeSpan.FromDays(1)).Dispose();
        File.Delete(directory.Combine("ca.key"));

        var missing = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Load(directory.Path));
        Assert.Contains(directory.Combine("ca.key"), missing.Message);
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void Load_reports_a_corrupt_certificate_file()
    {
        using var directory = new TemporaryDirectory();
        CertificateAuthority.Create(directory.Path, "demo", TimeSpan.FromDays(1)).Dispose();
        File.WriteAllText(directory.Combine("ca.crt"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");

        var corrupt = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Load(directory.Path));
        Assert.Contains(directory.Combine("ca.crt"), corrupt.Message);
    }

    [Fact]
    public void Load_refuses_a_key_that_belongs_to_another_CA()
    {
        using var directory = new TemporaryDirectory();
        CertificateAuthority.Create(directory.Combine("a"), "a", TimeSpan.FromDays(1)).Dispose();
        CertificateAuthority.Create(directory.Combine("b"), "b", TimeSpan.FromDays(1)).Dispose();
        File.Copy(directory.Combine("b", "ca.key"), directory.Combine("a", "ca.key"), overwrite: true);

        var mismatch = Assert.Throws<CertificateAuthorityException>(() => CertificateAuthority.Load(directory.Combine("a")));
        Assert.Contains("does not match", mismatch.Message);
    }

    [Fact]
    public void Issued_certificates_carry_name_in_CN_role_in_OU_and_the_right_usage()
    {
        using var federation = new TestFederation();

        using var participant = FederationCertificates.LoadCertificate(federation.HospitalA.CertificatePath);
        Assert.Equal("hospital-a", participant.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("OU=participant", participant.Subject);
        Assert.Contains("1.3.6.1.5.5.7.3.2", EnhancedKeyUsages(participant));
        // An organization's certificate is its silo's: it opens connections and accepts them.
        Assert.Contains("1.3.6.1.5.5.7.3.1", EnhancedKeyUsages(participant));
        Assert.EndsWith("hospital-a.crt", federation.HospitalA.CertificatePath);
        Assert.EndsWith("hospital-a.key", federation.HospitalA.KeyPath);

        using var admin = FederationCertificates.LoadCertificate(federation.Admin.CertificatePath);
        Assert.Contains("OU=admin", admin.Subject);
        Assert.Contains("1.3.6.1.5.5.7.3.2", EnhancedKeyUsages(admin));

        using var server = FederationCertificates.LoadCertificate(federation.Server.CertificatePath);
        Assert.Contains("OU=server", server.Subject);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], EnhancedKeyUsages(server));
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([System.Net.IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.False(server.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public void Issuing_refuses_to_overwrite_existing_files_unless_asked()
    {
        using var federation = new TestFederation();
        var directory = Path.GetDirectoryName(federation.HospitalA.CertificatePath)!;
        var before = File.ReadAllText(federation.HospitalA.CertificatePath);

        Assert.Throws<CertificateAuthorityException>(() => federation.Authority.IssueSilo("hospital-a", [], directory));
        Assert.Equal(before, File.ReadAllText(federation.HospitalA.CertificatePath));

        var again = federation.Authority.IssueSilo("hospital-a", [], directory, overwrite: true);
        Assert.NotEqual(before, File.ReadAllText(again.CertificatePath));
    }

    [Fact]
    public void Issued_certificates_never_outlive_the_CA()
    {
        using var directory = new TemporaryDirectory();
        using var authority = CertificateAuthority.Create(directory.Combine("ca"), "short", TimeSpan.FromDays(10));
        var issued = authority.IssueSilo("hospital-a", [], directory.Combine("out"), TimeSpan.FromDays(365));
        using var ca = authority.GetPublicCertificate();
        Assert.True(issued.NotAfter <= new DateTimeOffset(ca.NotAfter.ToUniversalTime()));
    }

    private static string[] EnhancedKeyUsages(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(extension => extension.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()).Select(oid => oid.Value!).ToArray();
}
