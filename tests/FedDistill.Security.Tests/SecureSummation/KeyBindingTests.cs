using System.Security.Cryptography;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class KeyBindingTests(SecureSummationFederation federation) : IClassFixture<SecureSummationFederation>
{
    private static readonly SecureSummationSession Session = SecureSummationFederation.Session(threshold: 2, length: 4, round: 3);

    [Fact]
    public void Keys_signed_with_a_federation_certificate_verify()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[2], federation.Binding);
        var (encryption, masking) = federation.Binding.Verify(Session, participant.Advertise());
        using (encryption)
        using (masking)
            Assert.Equal(256, masking.KeySize);
    }

    /// <summary>A participant certificate with the right name but from another federation's CA cannot bind keys.</summary>
    [Fact]
    public void Keys_signed_by_a_certificate_from_another_CA_are_refused()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Foreign, federation.Binding);
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, participant.Advertise()));
        Assert.Contains("not bound to a certificate of this federation", error.Message);
    }

    [Fact]
    public void Keys_advertised_under_another_organizations_name_are_refused()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        var forged = participant.Advertise() with { ParticipantId = "org-2" };
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, forged));
        Assert.Contains("not by 'org-2'", error.Message);
    }

    [Fact]
    public void Keys_signed_with_an_admin_certificate_are_refused()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Admin, federation.Binding);
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, participant.Advertise()));
        Assert.Contains("Admin", error.Message);
    }

    /// <summary>An aggregator cannot substitute its own masking key: the signature covers both keys.</summary>
    [Fact]
    public void Substituted_key_is_refused()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        using var substitute = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var forged = participant.Advertise() with { MaskingPublicKey = substitute.ExportSubjectPublicKeyInfo() };
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, forged));
        Assert.Contains("does not verify", error.Message);
    }

    /// <summary>Keys from one round cannot be replayed in another: the round is in the signed bytes.</summary>
    [Fact]
    public void Keys_signed_for_another_round_are_refused()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        var nextRound = Session with { Round = Session.Round + 1 };
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(nextRound, participant.Advertise()));
        Assert.Contains("round 4", error.Message);
    }

    [Fact]
    public void Peer_with_a_foreign_certificate_stops_the_key_sharing()
    {
        using var honest = new SecureSummationParticipant(Session, federation.Organizations[0], federation.Binding);
        using var intruder = new SecureSummationParticipant(Session, federation.Foreign, federation.Binding);
        var advertisements = new[] { honest.Advertise(), intruder.Advertise() with { ParticipantId = "org-9" } };
        Assert.Throws<SecureSummationException>(() => honest.ShareKeys(advertisements));
    }
}
