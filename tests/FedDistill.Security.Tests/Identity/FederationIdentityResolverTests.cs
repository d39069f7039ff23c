using System.Security.Cryptography.X509Certificates;
using FedDistill.Security.Tests.Support;

namespace FedDistill.Security.Tests.Identity;

public sealed class FederationIdentityResolverTests : IClassFixture<TestFederation>
{
    private readonly TestFederation _federation;

    public FederationIdentityResolverTests(TestFederation federation) => _federation = federation;

    [Fact]
    public void Participant_certificate_resolves_to_that_participant()
    {
        var result = Resolve(_federation.HospitalA);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(new FederationIdentity(FederationRole.Participant, "hospital-a"), result.Identity);
    }

    [Fact]
    public void Admin_certificate_resolves_to_the_admin()
    {
        var result = Resolve(_federation.Admin);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(new FederationIdentity(FederationRole.Admin, "admin"), result.Identity);
    }

    [Fact]
    public void Certificate_from_another_CA_is_refused_even_with_the_same_name()
    {
        var result = Resolve(_federation.ForeignParticipant);
        Assert.False(result.Succeeded);
        Assert.Equal("certificate was not issued by this federation's CA.", result.FailureReason);
    }

    [Fact]
    public void Expired_certificate_is_refused_with_its_expiry_date()
    {
        using var certificate = FederationCertificates.LoadCertificate(_federation.HospitalA.CertificatePath);
        var later = new ManualTimeProvider(_federation.HospitalA.NotAfter.AddDays(1));
        using var ca = _federation.Authority.GetPublicCertificate();

        var result = new FederationIdentityResolver(ca, later).Resolve(certificate);
        Assert.False(result.Succeeded);
        Assert.StartsWith("certificate expired on ", result.FailureReason);
    }

    [Fact]
    public void Certificate_not_yet_valid_is_refused()
    {
        using var certificate = FederationCertificates.LoadCertificate(_federation.HospitalA.CertificatePath);
        var earlier = new ManualTimeProvider(_federation.HospitalA.NotBefore.AddDays(-1));
        using var ca = _federation.Authority.GetPublicCertificate();

        var result = new FederationIdentityResolver(ca, earlier).Resolve(certificate);
        Assert.False(result.Succeeded);
        Assert.Contains("not valid before", result.FailureReason);
    }

    [Fact]
    public void Server_certificate_used_as_a_client_certificate_is_refused()
    {
        var result = Resolve(_federation.Server);
        Assert.False(result.Succeeded);
        Assert.Contains("clientAuth", result.FailureReason);
    }

    [Fact]
    public void CA_certificate_presented_as_a_client_certificate_is_refused()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        var result = new FederationIdentityResolver(ca).Resolve(ca);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Missing_certificate_is_refused_with_a_hint()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        var result = new FederationIdentityResolver(ca).Resolve(null);
        Assert.False(result.Succeeded);
        Assert.Contains("no client certificate", result.FailureReason);
    }

    [Fact]
    public void Resolver_refuses_a_trust_anchor_that_is_not_a_CA()
    {
        using var participant = FederationCertificates.LoadCertificate(_federation.HospitalA.CertificatePath);
        Assert.Throws<ArgumentException>(() => new FederationIdentityResolver(participant));
    }

    private FederationIdentityResult Resolve(IssuedCertificate issued)
    {
        using var certificate = FederationCertificates.LoadCertificate(issued.CertificatePath);
        using var ca = _federation.Authority.GetPublicCertificate();
        return new FederationIdentityResolver(ca).Resolve(certificate);
    }
}
