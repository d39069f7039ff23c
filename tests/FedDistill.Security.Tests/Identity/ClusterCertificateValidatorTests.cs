using FedDistill.Security.Tests.Support;

namespace FedDistill.Security.Tests.Identity;

/// <summary>
/// What the cluster's TLS connections admit: a silo certificate of the federation's CA naming a
/// site (and, when one is expected, that site), or the admin's certificate for the gateway; each
/// refusal says why.
/// </summary>
public sealed class ClusterCertificateValidatorTests : IDisposable
{
    private readonly TestFederation _federation = new();

    [Fact]
    public void A_silo_certificate_passes_as_its_own_site_and_is_refused_as_another()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        using var hospital = FederationCertificates.LoadCertificate(_federation.HospitalA.CertificatePath);
        var validator = new ClusterCertificateValidator(ca);

        Assert.Null(validator.CheckSilo(hospital));
        Assert.Null(validator.CheckSilo(hospital, "hospital-a"));
        Assert.Equal("hospital-a", ClusterCertificateValidator.SiteOf(hospital));
        Assert.Contains("names site 'hospital-a', but the silo is 'hospital-b'", validator.CheckSilo(hospital, "hospital-b"));
        Assert.Contains("not an admin certificate", validator.CheckAdmin(hospital));
    }

    [Fact]
    public void The_aggregators_silo_certificate_names_the_aggregator_site()
    {
        var issued = _federation.Authority.IssueSilo("aggregator", ["127.0.0.1", "aggregator.example"], Path.Combine(_federation.Root, "aggregator"));
        using var ca = _federation.Authority.GetPublicCertificate();
        using var aggregator = FederationCertificates.LoadCertificate(issued.CertificatePath);

        Assert.Equal(FederationRole.Server, issued.Identity.Role);
        Assert.Null(new ClusterCertificateValidator(ca).CheckSilo(aggregator, "aggregator"));
    }

    [Fact]
    public void The_admin_certificate_opens_the_gateway_but_is_no_silo()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        using var admin = FederationCertificates.LoadCertificate(_federation.Admin.CertificatePath);
        var validator = new ClusterCertificateValidator(ca);

        Assert.Null(validator.CheckAdmin(admin));
        Assert.Contains("is not a silo certificate", validator.CheckSilo(admin));
    }

    [Fact]
    public void Another_CAs_an_expired_a_web_only_or_no_certificate_is_refused_with_the_reason()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        using var foreign = FederationCertificates.LoadCertificate(_federation.ForeignParticipant.CertificatePath);
        using var hospital = FederationCertificates.LoadCertificate(_federation.HospitalA.CertificatePath);
        using var server = FederationCertificates.LoadCertificate(_federation.Server.CertificatePath);
        var validator = new ClusterCertificateValidator(ca);
        var later = new ClusterCertificateValidator(ca, new ManualTimeProvider(_federation.HospitalA.NotAfter.AddDays(1)));

        Assert.Contains("not issued by this federation's CA", validator.CheckSilo(foreign));
        Assert.Contains("expired on", later.CheckSilo(hospital));
        Assert.Contains("is not a silo certificate", validator.CheckSilo(server));
        Assert.Contains("no certificate was presented", validator.CheckSilo(null));
        Assert.Contains("no certificate was presented", validator.CheckAdmin(null));
    }

    [Fact]
    public void A_silo_certificate_cannot_be_issued_for_a_reserved_or_invalid_site()
    {
        var directory = Path.Combine(_federation.Root, "refused");
        Assert.Throws<ArgumentException>(() => _federation.Authority.IssueSilo("admin", [], directory));
        Assert.Throws<ArgumentException>(() => _federation.Authority.IssueSilo("Hospital A", [], directory));
        Assert.Throws<ArgumentException>(() => _federation.Authority.IssueSilo("hospital-a", ["*.example"], directory));
    }

    public void Dispose() => _federation.Dispose();
}
