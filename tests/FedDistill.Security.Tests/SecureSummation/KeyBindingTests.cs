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

    /// <summary>The scale exponent is in the signed bytes: an aggregator that raises or lowers it (to shrink everyone's weights, or to make an organization's sums overflow) is caught.</summary>
    [Theory]
    [InlineData(8, 20)]
    [InlineData(8, 7)]
    [InlineData(0, -3)]
    public void An_altered_scale_exponent_is_refused(int signed, int altered)
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        var honest = participant.Advertise(signed);
        Assert.Equal(signed, honest.ScaleExponent);
        var (encryption, masking) = federation.Binding.Verify(Session, honest);
        encryption.Dispose();
        masking.Dispose();

        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, honest with { ScaleExponent = altered }));
        Assert.Contains("keys and scale exponent of 'org-1' does not verify", error.Message);
    }

    [Fact]
    public void A_scale_exponent_outside_its_range_is_neither_signed_nor_accepted()
    {
        using var participant = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        Assert.Throws<ArgumentOutOfRangeException>(() => participant.Advertise(InputScale.MaxExponent + 1));
        var error = Assert.Throws<SecureSummationException>(() => federation.Binding.Verify(Session, participant.Advertise(3) with { ScaleExponent = int.MinValue }));
        Assert.Contains("outside [-64, 64]", error.Message);
    }

    /// <summary>Every participant verifies the same relayed list and takes its largest exponent: all derive the same scale, whoever needed it.</summary>
    [Fact]
    public void Every_participant_derives_the_largest_advertised_exponent()
    {
        int[] needs = [-2, 9, 4, InputScale.MinExponent];
        var participants = needs.Select((_, index) => new SecureSummationParticipant(Session, federation.Organizations[index], federation.Binding)).ToArray();
        try
        {
            var advertisements = participants.Select((participant, index) => participant.Advertise(needs[index])).ToList();
            foreach (var participant in participants) participant.ShareKeys(advertisements);
            Assert.All(participants, participant => Assert.Equal(9, participant.ScaleExponent));
            Assert.Equal(9, InputScale.Exponent(advertisements));
        }
        finally
        {
            foreach (var participant in participants) participant.Dispose();
        }
    }

    /// <summary>An organization's own exponent is not checked by signature (it signed it), so it compares it with what it sent: an aggregator cannot relay it altered to the organization alone.</summary>
    [Fact]
    public void A_participant_whose_own_exponent_comes_back_altered_stops()
    {
        using var first = new SecureSummationParticipant(Session, federation.Organizations[0], federation.Binding);
        using var second = new SecureSummationParticipant(Session, federation.Organizations[1], federation.Binding);
        var advertisements = new[] { first.Advertise(5), second.Advertise(2) };
        var error = Assert.Throws<SecureSummationException>(() => first.ShareKeys([advertisements[0] with { ScaleExponent = 1 }, advertisements[1]]));
        Assert.Contains("keys and scale exponent of 'org-0' as it sent them", error.Message);
        Assert.Throws<InvalidOperationException>(() => second.Advertise(3));
    }
}
